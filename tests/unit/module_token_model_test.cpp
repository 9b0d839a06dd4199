// CK_TOKEN_INFO.model: a token made with the cheap test Argon2 cost
// (ECERT_TOKEN_KDF=test) says so there, decided from the cost stored in its
// file and not from the environment of the process that reads it.
#include <stdlib.h>

#include <string>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

std::string model_of(const CK_TOKEN_INFO& info) {
  return std::string(reinterpret_cast<const char*>(info.model), sizeof info.model);
}

class TokenModelTest : public ModuleTest {
 protected:
  void TearDown() override {
    ModuleTest::TearDown();
    ::setenv("ECERT_TOKEN_KDF", "test", 1);  // as every other test expects
  }
};

TEST_F(TokenModelTest, TokenMadeWithTheTestCostSaysSoWhateverTheReadersEnvironment) {
  CK_SLOT_ID slot = init_token();  // the fixture sets ECERT_TOKEN_KDF=test
  EXPECT_EQ(model_of(token_info(slot)), "e-Cert test KDF ");
  ::unsetenv("ECERT_TOKEN_KDF");
  restart();
  EXPECT_EQ(model_of(token_info(slot)), "e-Cert test KDF ");
}

TEST_F(TokenModelTest, TokenMadeWithTheCalibratedCostIsAnECertToken) {
  // Before any token: the spare slot's uninitialised token.
  EXPECT_EQ(model_of(token_info(slots().back())), "e-Cert Token    ");
  ::unsetenv("ECERT_TOKEN_KDF");
  CK_SLOT_ID slot = init_token();
  EXPECT_EQ(model_of(token_info(slot)), "e-Cert Token    ");
  ::setenv("ECERT_TOKEN_KDF", "test", 1);
  restart();
  EXPECT_EQ(model_of(token_info(slot)), "e-Cert Token    ");
}

}  // namespace
}  // namespace ecert::test
