ecert_unit_test(attribute_rules_tests
                SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/token_attribute_rules_create_test.cpp
                        ${CMAKE_CURRENT_SOURCE_DIR}/token_attribute_rules_change_test.cpp
                LIBS ecert_attribute_rules OpenSSL::Crypto)

# The PIN policy library alone: its rules, its field table, its texts.
file(GLOB POLICY_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/policy_*_test.cpp)
ecert_unit_test(policy_tests SOURCES ${POLICY_TESTS} LIBS ecert_policy)

# Tests of the built module through its C interface, loaded with dlopen().
if(TARGET ecert-pkcs11)
  add_library(ecert_module_fixture STATIC ${CMAKE_CURRENT_SOURCE_DIR}/module_fixture.cpp)
  target_link_libraries(ecert_module_fixture PUBLIC ecert_headers ecert_common GTest::gtest ${CMAKE_DL_LIBS})
  target_compile_definitions(ecert_module_fixture PUBLIC ECERT_MODULE_PATH="$<TARGET_FILE:ecert-pkcs11>")
  file(GLOB MODULE_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/module_*_test.cpp)
  if(MODULE_TESTS)
    ecert_unit_test(module_tests SOURCES ${MODULE_TESTS} LIBS ecert_module_fixture ecert_store OpenSSL::Crypto PkgConfig::SQLITE3)
    add_dependencies(module_tests ecert-pkcs11)
    # The pinentry the protected authentication path tests talk to.
    target_compile_definitions(module_tests PRIVATE
      ECERT_TEST_PINENTRY="${PROJECT_SOURCE_DIR}/tests/pinentry/test-pinentry.py")
  endif()
  file(GLOB TOKEN_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/token_*_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/store_*_test.cpp)
  list(FILTER TOKEN_TESTS EXCLUDE REGEX "token_attribute_rules_")
  if(TOKEN_TESTS)
    ecert_unit_test(token_tests SOURCES ${TOKEN_TESTS} LIBS ecert_token)
  endif()
endif()

# The module's call trace (pkcs11_trace_test.cpp), driven through the C API and the manager library.
if(TARGET ecert-pkcs11 AND TARGET ecert_manager)
  ecert_unit_test(trace_tests SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/pkcs11_trace_test.cpp
                  LIBS ecert_manager ecert_store PkgConfig::SQLITE3)
  target_compile_definitions(trace_tests PRIVATE ECERT_MODULE_PATH="$<TARGET_FILE:ecert-pkcs11>")
  add_dependencies(trace_tests ecert-pkcs11)
endif()
