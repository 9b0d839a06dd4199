# The attribute rules (PKCS#11 attribute tables); included from src/token/CMakeLists.txt.
add_library(ecert_attribute_rules STATIC ${CMAKE_CURRENT_LIST_DIR}/attribute_rules.cpp)
target_link_libraries(ecert_attribute_rules PUBLIC ecert_crypto)
