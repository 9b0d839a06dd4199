// PINs through the real module: the owner's and the issuer's rules, the
// lockout and its flags, must-change, the SO's own counter and the policy
// object (CKO_ECERT_POLICY).
#include <cstring>
#include <string>
#include <vector>

#include "module_fixture.h"
#include "store/pin_kdf.h"

namespace ecert::test {
namespace {

constexpr CK_FLAGS kUserFlags = CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
                                CKF_USER_PIN_LOCKED | CKF_USER_PIN_TO_BE_CHANGED;
constexpr CK_FLAGS kSoFlags =
    CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED | CKF_SO_PIN_TO_BE_CHANGED;
constexpr const char* kWrongPin = "Wrong-Pin#1";

class PinTest : public ModuleTest {
 protected:
  CK_FLAGS user_flags(CK_SLOT_ID slot) { return token_info(slot).flags & kUserFlags; }
  CK_FLAGS so_flags(CK_SLOT_ID slot) { return token_info(slot).flags & kSoFlags; }

  CK_RV set_pin(CK_SESSION_HANDLE s, const char* old_pin, const char* new_pin) {
    return p11()->C_SetPIN(s, pin_ptr(old_pin), pin_len(old_pin), pin_ptr(new_pin), pin_len(new_pin));
  }
  CK_RV init_pin(CK_SESSION_HANDLE s, const char* pin) { return p11()->C_InitPIN(s, pin_ptr(pin), pin_len(pin)); }

  CK_STATE state(CK_SESSION_HANDLE s) {
    CK_SESSION_INFO info{};
    EXPECT_EQ(p11()->C_GetSessionInfo(s, &info), CKR_OK);
    return info.state;
  }

  // The policy object, found without login.
  CK_OBJECT_HANDLE policy_object(CK_SESSION_HANDLE s) {
    CK_OBJECT_CLASS cls = CKO_ECERT_POLICY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}};
    EXPECT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
    CK_OBJECT_HANDLE found[4];
    CK_ULONG n = 0;
    EXPECT_EQ(p11()->C_FindObjects(s, found, 4, &n), CKR_OK);
    EXPECT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
    EXPECT_EQ(n, 1u);
    return n == 1 ? found[0] : CK_INVALID_HANDLE;
  }
  CK_ULONG get_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) {
    CK_ULONG v = 0xDEADBEEF;
    CK_ATTRIBUTE a = {type, &v, sizeof v};
    EXPECT_EQ(p11()->C_GetAttributeValue(s, o, &a, 1), CKR_OK) << std::hex << type;
    EXPECT_EQ(a.ulValueLen, sizeof(CK_ULONG));
    return v;
  }
  CK_BBOOL get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) {
    CK_BBOOL v = 0x55;
    CK_ATTRIBUTE a = {type, &v, sizeof v};
    EXPECT_EQ(p11()->C_GetAttributeValue(s, o, &a, 1), CKR_OK) << std::hex << type;
    EXPECT_EQ(a.ulValueLen, sizeof(CK_BBOOL));
    return v;
  }
  CK_RV set_ulong(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG v) {
    CK_ATTRIBUTE a = {type, &v, sizeof v};
    return p11()->C_SetAttributeValue(s, o, &a, 1);
  }
  CK_RV set_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_BBOOL v) {
    CK_ATTRIBUTE a = {type, &v, sizeof v};
    return p11()->C_SetAttributeValue(s, o, &a, 1);
  }
  // Tries left as the policy object shows them, read in a fresh R/W session
  // (an R/O one cannot be opened while the SO is logged in).
  CK_ULONG user_tries_left(CK_SLOT_ID slot) { return tries_left(slot, CKA_ECERT_USER_TRIES_LEFT); }
  CK_ULONG so_tries_left(CK_SLOT_ID slot) { return tries_left(slot, CKA_ECERT_SO_TRIES_LEFT); }
  CK_ULONG tries_left(CK_SLOT_ID slot, CK_ATTRIBUTE_TYPE type) {
    CK_SESSION_HANDLE s = open(slot);
    CK_ULONG v = get_ulong(s, policy_object(s), type);
    p11()->C_CloseSession(s);
    return v;
  }
  // SO logs in an R/W session, sets one policy number, logs out.
  void so_set_policy(CK_SLOT_ID slot, CK_ATTRIBUTE_TYPE type, CK_ULONG v) {
    CK_SESSION_HANDLE s = open(slot);
    ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
    ASSERT_EQ(set_ulong(s, policy_object(s), type, v), CKR_OK);
    ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  }
  CK_OBJECT_HANDLE create_private_data(CK_SESSION_HANDLE s, const char* label) {
    CK_OBJECT_CLASS cls = CKO_DATA;
    CK_BBOOL yes = CK_TRUE;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls},
                           {CKA_TOKEN, &yes, sizeof yes},
                           {CKA_PRIVATE, &yes, sizeof yes},
                           {CKA_LABEL, const_cast<char*>(label), std::strlen(label)},
                           {CKA_VALUE, const_cast<char*>("secret"), 6}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(p11()->C_CreateObject(s, tmpl, 5, &h), CKR_OK);
    return h;
  }
  CK_ULONG count_labelled(CK_SESSION_HANDLE s, const char* label) {
    CK_ATTRIBUTE tmpl[] = {{CKA_LABEL, const_cast<char*>(label), std::strlen(label)}};
    EXPECT_EQ(p11()->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
    CK_OBJECT_HANDLE found[8];
    CK_ULONG n = 0;
    EXPECT_EQ(p11()->C_FindObjects(s, found, 8, &n), CKR_OK);
    EXPECT_EQ(p11()->C_FindObjectsFinal(s), CKR_OK);
    return n;
  }
};

// ---- lockout ----

TEST_F(PinTest, FifteenWrongUserPinsLockWithTheRightFlagsAfterEachTry) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  for (CK_ULONG i = 1; i <= 14; ++i) {
    ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT) << i;
    CK_FLAGS expected = CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | (i == 14 ? CKF_USER_PIN_FINAL_TRY : 0);
    EXPECT_EQ(user_flags(slot), expected) << "after wrong try " << i;
    EXPECT_EQ(so_flags(slot), 0u) << i;
    EXPECT_EQ(user_tries_left(slot), 15 - i);
    EXPECT_EQ(so_tries_left(slot), 15u);
  }
  // The 15th wrong PIN is still "incorrect", and locks.
  EXPECT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);
  EXPECT_EQ(user_tries_left(slot), 0u);
  // Locked: nothing is checked any more, the right PIN included.
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_LOCKED);
  EXPECT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_LOCKED);
  EXPECT_EQ(set_pin(s, kUserPin, "Brand-New#2027"), CKR_PIN_LOCKED);
  EXPECT_EQ(set_pin(s, kWrongPin, "Brand-New#2027"), CKR_PIN_LOCKED);
  EXPECT_EQ(set_pin(s, kUserPin, "short"), CKR_PIN_LOCKED);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);
  EXPECT_EQ(user_tries_left(slot), 0u);
  EXPECT_EQ(p11()->C_CloseSession(s), CKR_OK);

  // The lock is on disk.
  restart();
  s = open(slot);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_LOCKED);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);

  // The SO unblocks with C_InitPIN; the new PIN must be changed.
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  EXPECT_EQ(init_pin(s, "87654321"), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  EXPECT_EQ(login(s, CKU_USER, "87654321"), CKR_PIN_EXPIRED);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  EXPECT_EQ(set_pin(s, "87654321", "Fresh-Pin#2027"), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(login(s, CKU_USER, "Fresh-Pin#2027"), CKR_OK);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_USER_FUNCTIONS));
}

TEST_F(PinTest, RightPinResetsTheCount) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot, false);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_tries_left(slot), 12u);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(p11()->C_Logout(s), CKR_OK);
  // 14 more wrong tries are allowed again before the final one.
  for (int i = 0; i < 14; ++i) ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
}

TEST_F(PinTest, SetPinOldPinCheckCountsLikeLogin) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_EQ(set_pin(s, kWrongPin, "Brand-New#2027"), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW);
  EXPECT_EQ(user_tries_left(slot), 14u);
  EXPECT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);  // one counter for both
  EXPECT_EQ(user_tries_left(slot), 13u);
  EXPECT_EQ(set_pin(s, kUserPin, "Brand-New#2027"), CKR_OK);  // a right old PIN resets it
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  for (CK_ULONG i = 1; i <= 14; ++i) ASSERT_EQ(set_pin(s, kWrongPin, "Other-New#2027"), CKR_PIN_INCORRECT) << i;
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
  EXPECT_EQ(set_pin(s, kWrongPin, "Other-New#2027"), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);
  EXPECT_EQ(set_pin(s, "Brand-New#2027", "Other-New#2027"), CKR_PIN_LOCKED);
  EXPECT_EQ(login(s, CKU_USER, "Brand-New#2027"), CKR_PIN_LOCKED);
}

TEST_F(PinTest, SoPinHasItsOwnCounterAndFlags) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(login(s, CKU_SO, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(so_flags(slot), CKF_SO_PIN_COUNT_LOW);
  EXPECT_EQ(so_tries_left(slot), 13u);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_tries_left(slot), 14u);
  EXPECT_EQ(so_tries_left(slot), 13u);
  // A right SO PIN resets the SO count only.
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  EXPECT_EQ(so_flags(slot), 0u);
  EXPECT_EQ(so_tries_left(slot), 15u);
  EXPECT_EQ(user_tries_left(slot), 14u);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW);
  // The SO's C_SetPIN checks the old SO PIN against the SO counter, and the new
  // one against the owner's rule.
  EXPECT_EQ(set_pin(s, kWrongPin, "New-So-Pin#27"), CKR_PIN_INCORRECT);
  EXPECT_EQ(so_tries_left(slot), 14u);
  EXPECT_EQ(so_flags(slot), CKF_SO_PIN_COUNT_LOW);
  EXPECT_EQ(set_pin(s, kSoPin, "12345678"), CKR_PIN_INVALID);
  EXPECT_EQ(set_pin(s, kSoPin, "Nw#1"), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(set_pin(s, kSoPin, "New-So-Pin#27"), CKR_OK);
  EXPECT_EQ(so_tries_left(slot), 15u);
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  EXPECT_EQ(login(s, CKU_SO, kSoPin), CKR_PIN_INCORRECT);  // the old SO PIN is gone
  // Lock the SO.
  for (CK_ULONG i = 2; i <= 14; ++i) ASSERT_EQ(login(s, CKU_SO, kWrongPin), CKR_PIN_INCORRECT) << i;
  EXPECT_EQ(so_flags(slot), CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY);
  EXPECT_EQ(so_tries_left(slot), 1u);
  EXPECT_EQ(login(s, CKU_SO, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(so_flags(slot), CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_LOCKED);
  EXPECT_EQ(so_tries_left(slot), 0u);
  EXPECT_EQ(login(s, CKU_SO, "New-So-Pin#27"), CKR_PIN_LOCKED);
  // The user is not affected.
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(so_flags(slot), CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_LOCKED);
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  // A locked SO cannot re-initialise the token either.
  CK_UTF8CHAR label[32];
  std::memset(label, ' ', sizeof label);
  EXPECT_EQ(p11()->C_InitToken(slot, pin_ptr("New-So-Pin#27"), pin_len("New-So-Pin#27"), label), CKR_PIN_LOCKED);
}

// ---- must change ----

TEST_F(PinTest, PinSetByTheSoMustBeChangedBeforeUse) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open_user_session(slot);
  create_private_data(s, "private-thing");
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  set_envelope_pin(slot, "11223344");  // the issuer's rule: digits alone
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);

  s = open(slot);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_INCORRECT);  // the old PIN is replaced
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED | CKF_USER_PIN_COUNT_LOW);
  // The right PIN: expired, nobody logged in, but the count is reset.
  EXPECT_EQ(login(s, CKU_USER, "11223344"), CKR_PIN_EXPIRED);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(state(s), static_cast<CK_STATE>(CKS_RW_PUBLIC_SESSION));
  EXPECT_EQ(p11()->C_Logout(s), CKR_USER_NOT_LOGGED_IN);
  EXPECT_EQ(count_labelled(s, "private-thing"), 0u);
  CK_OBJECT_CLASS cls = CKO_DATA;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE priv[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_PRIVATE, &yes, sizeof yes}};
  CK_OBJECT_HANDLE h;
  EXPECT_EQ(p11()->C_CreateObject(s, priv, 2, &h), CKR_USER_NOT_LOGGED_IN);
  EXPECT_EQ(login(s, CKU_USER, "11223344"), CKR_PIN_EXPIRED);  // still, every time

  // The change: only in an R/W session, under the owner's rule.
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_EQ(set_pin(ro, "11223344", "Changed-Pin#1"), CKR_SESSION_READ_ONLY);
  EXPECT_EQ(p11()->C_CloseSession(ro), CKR_OK);
  EXPECT_EQ(set_pin(s, "11223344", "99887766"), CKR_PIN_INVALID);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);
  EXPECT_EQ(set_pin(s, "11223344", "Changed-Pin#1"), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(login(s, CKU_USER, "Changed-Pin#1"), CKR_OK);
  EXPECT_EQ(count_labelled(s, "private-thing"), 1u);  // same master key
}

TEST_F(PinTest, IssuerRuleForInitPin) {
  CK_SLOT_ID slot = init_token();
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_EQ(init_pin(s, "12345678"), CKR_USER_NOT_LOGGED_IN);
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  EXPECT_EQ(init_pin(s, "1234567"), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(init_pin(s, std::string(65, '1').c_str()), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(init_pin(s, "1234\t5678"), CKR_PIN_INVALID);
  EXPECT_EQ(user_flags(slot), 0u);  // nothing set by the refusals
  EXPECT_EQ(init_pin(s, std::string(64, '1').c_str()), CKR_OK);
  EXPECT_EQ(init_pin(s, "12345678"), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_TO_BE_CHANGED);
}

TEST_F(PinTest, SoPinFollowsTheOwnerRule) {
  CK_SLOT_ID spare = slots().back();
  CK_UTF8CHAR label[32];
  std::memset(label, ' ', sizeof label);
  auto init = [&](const std::string& pin) {
    return p11()->C_InitToken(spare, pin_ptr(pin.c_str()), pin_len(pin.c_str()), label);
  };
  EXPECT_EQ(init("12345678"), CKR_PIN_INVALID);
  EXPECT_EQ(init("So-Pin#"), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(init("So-Pin#1" + std::string(57, 'x')), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(init("so-pin#2026"), CKR_PIN_INVALID);
  EXPECT_EQ(token_info(spare).flags & CKF_TOKEN_INITIALIZED, 0u);
  EXPECT_EQ(init(kSoPin), CKR_OK);
  EXPECT_EQ(token_info(spare).flags & CKF_TOKEN_INITIALIZED, CKF_TOKEN_INITIALIZED);
}

// ---- the owner's rule, through C_SetPIN ----

TEST_F(PinTest, OwnerRuleRefusesEachBrokenRuleWithItsCode) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  struct Case {
    std::string pin;
    CK_RV rv;
    const char* why;
  };
  const Case cases[] = {
      {"Aa1!bcd", CKR_PIN_LEN_RANGE, "7 bytes"},
      {"Aa1!" + std::string(61, 'x'), CKR_PIN_LEN_RANGE, "65 bytes"},
      {"user-pin#2027", CKR_PIN_INVALID, "no upper"},
      {"USER-PIN#2027", CKR_PIN_INVALID, "no lower"},
      {"User-Pin#abcd", CKR_PIN_INVALID, "no digit"},
      {"UserPin2027x", CKR_PIN_INVALID, "no special"},
      {"User-Pin#2222", CKR_PIN_INVALID, "4 same in a row"},
      {"User-Pin\n2027", CKR_PIN_INVALID, "control character"},
      {"Ab1\xE4\xB8\xAD", CKR_PIN_LEN_RANGE, "4 characters, 6 bytes"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(set_pin(s, kUserPin, c.pin.c_str()), c.rv) << c.why;
  }
  // Refused new PINs cost no try and change nothing.
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  // 64 bytes is the longest.
  std::string longest = "Aa1!";
  for (int i = 0; i < 60; ++i) longest += static_cast<char>('a' + i % 26);
  ASSERT_EQ(longest.size(), 64u);
  EXPECT_EQ(set_pin(s, kUserPin, longest.c_str()), CKR_OK);
  // A Chinese character as the special character.
  EXPECT_EQ(set_pin(s, longest.c_str(), "Passwort1\xE4\xB8\xAD"), CKR_OK);
  EXPECT_EQ(login(s, CKU_USER, "Passwort1\xE4\xB8\xAD"), CKR_OK);
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  // A space as the special character.
  EXPECT_EQ(set_pin(s, "Passwort1\xE4\xB8\xAD", "Pass word1"), CKR_OK);
  EXPECT_EQ(login(s, CKU_USER, "Pass word1"), CKR_OK);
}

TEST_F(PinTest, NoneOfTheLastTenUserPinsAgain) {
  CK_SLOT_ID slot = ready_token();  // kUserPin is the current PIN
  CK_SESSION_HANDLE s = open(slot);
  std::vector<std::string> pins;
  for (int i = 1; i <= 10; ++i) pins.push_back("Hist-Pin#" + std::to_string(100 + i));
  std::string current = kUserPin;
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(set_pin(s, current.c_str(), pins[i].c_str()), CKR_OK) << i;
    current = pins[i];
  }
  // The last 10: the current one, pins[0..7] and kUserPin.
  EXPECT_EQ(set_pin(s, current.c_str(), current.c_str()), CKR_PIN_INVALID);
  EXPECT_EQ(set_pin(s, current.c_str(), kUserPin), CKR_PIN_INVALID);
  EXPECT_EQ(set_pin(s, current.c_str(), pins[4].c_str()), CKR_PIN_INVALID);
  EXPECT_EQ(set_pin(s, current.c_str(), pins[0].c_str()), CKR_PIN_INVALID);
  EXPECT_EQ(user_tries_left(slot), 15u);
  EXPECT_EQ(login(s, CKU_USER, current.c_str()), CKR_OK);  // the PIN did not change
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  // One more change pushes kUserPin out of the last 10.
  ASSERT_EQ(set_pin(s, current.c_str(), pins[9].c_str()), CKR_OK);
  EXPECT_EQ(set_pin(s, pins[9].c_str(), pins[0].c_str()), CKR_PIN_INVALID);
  EXPECT_EQ(set_pin(s, pins[9].c_str(), kUserPin), CKR_OK);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
}

TEST_F(PinTest, MinAndMaxPinLenInTokenInfo) {
  CK_SLOT_ID spare = slots().back();
  CK_TOKEN_INFO info = token_info(spare);
  // Bytes, as PKCS#11 counts them: 64 characters of up to 4 bytes of UTF-8.
  EXPECT_EQ(info.ulMinPinLen, 8u);
  EXPECT_EQ(info.ulMaxPinLen, 256u);
  CK_SLOT_ID slot = ready_token();
  info = token_info(slot);
  EXPECT_EQ(info.ulMinPinLen, 8u);
  EXPECT_EQ(info.ulMaxPinLen, 256u);
  // Narrowed by the SO through the policy object (both rules): new PINs
  // follow the new rules, but the limits stay wide enough for the PINs set
  // under the old ones (kUserPin, 13 characters, and up to 64), which still
  // log in: a client checking the limits must not refuse them.
  so_set_policy(slot, CKA_ECERT_MIN_PIN_LEN, 12);
  so_set_policy(slot, CKA_ECERT_ISSUER_MIN_PIN_LEN, 12);
  so_set_policy(slot, CKA_ECERT_MAX_PIN_LEN, 20);
  so_set_policy(slot, CKA_ECERT_ISSUER_MAX_PIN_LEN, 20);
  info = token_info(slot);
  EXPECT_EQ(info.ulMinPinLen, 8u);
  EXPECT_EQ(info.ulMaxPinLen, 256u);
  CK_SESSION_HANDLE s = open(slot);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_OK);
  p11()->C_CloseSession(s);
  EXPECT_EQ(change_pin(slot, kUserPin, "Eleven#Byt1"), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(change_pin(slot, kUserPin, "Twenty-One#Bytes1234"), CKR_OK);  // 20 bytes
  EXPECT_EQ(change_pin(slot, "Twenty-One#Bytes1234", "Twenty-One#Bytes12345"), CKR_PIN_LEN_RANGE);
  // Characters, not bytes: 11 characters in 17 bytes are still too short.
  EXPECT_EQ(change_pin(slot, "Twenty-One#Bytes1234", "Ab1!\xE9\x99\xB3\xE5\xA4\xA7xyzw"), CKR_PIN_LEN_RANGE);
}

// ---- the policy object ----

TEST_F(PinTest, PolicyObjectIsReadableWithoutLogin) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot, false);
  CK_OBJECT_HANDLE p = policy_object(s);
  ASSERT_NE(p, CK_INVALID_HANDLE);
  EXPECT_EQ(get_ulong(s, p, CKA_CLASS), CKO_ECERT_POLICY);
  EXPECT_EQ(get_bool(s, p, CKA_TOKEN), CK_TRUE);
  EXPECT_EQ(get_bool(s, p, CKA_PRIVATE), CK_FALSE);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MIN_PIN_LEN), 8u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MAX_PIN_LEN), 64u);
  EXPECT_EQ(get_bool(s, p, CKA_ECERT_REQUIRE_UPPER), CK_TRUE);
  EXPECT_EQ(get_bool(s, p, CKA_ECERT_REQUIRE_LOWER), CK_TRUE);
  EXPECT_EQ(get_bool(s, p, CKA_ECERT_REQUIRE_DIGIT), CK_TRUE);
  EXPECT_EQ(get_bool(s, p, CKA_ECERT_REQUIRE_SPECIAL), CK_TRUE);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_HISTORY_SIZE), 10u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MAX_REPEAT), 3u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MAX_USER_TRIES), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MAX_SO_TRIES), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_ISSUER_MIN_PIN_LEN), 8u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_ISSUER_MAX_PIN_LEN), 64u);
  EXPECT_EQ(get_bool(s, p, CKA_ECERT_MUST_CHANGE), CK_TRUE);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_USER_TRIES_LEFT), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_SO_TRIES_LEFT), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_KDF_MEMORY_KIB), 64u);  // ECERT_TOKEN_KDF=test
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_KDF_ITERATIONS), 1u);
  // The same session sees the count move.
  ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_USER_TRIES_LEFT), 14u);
}

// The cost of a real token is calibrated when it is made (store/pin_kdf.h):
// whatever this machine's speed, never below the floor, and shown on the
// policy object. The time it takes is the benchmark's business, not a test's.
TEST_F(PinTest, ARealTokenGetsACalibratedKdfCostNeverBelowTheFloor) {
  unsetenv("ECERT_TOKEN_KDF");
  CK_SLOT_ID slot = init_token();
  setenv("ECERT_TOKEN_KDF", "test", 1);
  CK_SESSION_HANDLE s = open(slot);
  CK_OBJECT_HANDLE p = policy_object(s);
  ASSERT_NE(p, CK_INVALID_HANDLE);
  CK_ULONG memory = get_ulong(s, p, CKA_ECERT_KDF_MEMORY_KIB), passes = get_ulong(s, p, CKA_ECERT_KDF_ITERATIONS);
  EXPECT_GE(memory, store::kKdfFloor.memory_kib);
  EXPECT_LE(memory, store::kKdfMaxMemoryKib);
  EXPECT_GE(passes, store::kKdfFloor.iterations);
  EXPECT_LE(passes, store::kKdfMaxIterations);
  EXPECT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
}

TEST_F(PinTest, PolicyObjectChangesOnlyInAnRwSoSession) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE ro = open(slot, false);
  CK_OBJECT_HANDLE p = policy_object(ro);
  EXPECT_EQ(set_ulong(ro, p, CKA_ECERT_MAX_USER_TRIES, 5), CKR_SESSION_READ_ONLY);
  ASSERT_EQ(login(ro, CKU_USER, kUserPin), CKR_OK);
  EXPECT_EQ(set_ulong(ro, p, CKA_ECERT_MAX_USER_TRIES, 5), CKR_SESSION_READ_ONLY);
  CK_SESSION_HANDLE rw = open(slot);
  EXPECT_EQ(set_ulong(rw, p, CKA_ECERT_MAX_USER_TRIES, 5), CKR_USER_NOT_LOGGED_IN);  // the user is not the SO
  ASSERT_EQ(p11()->C_Logout(rw), CKR_OK);
  EXPECT_EQ(set_ulong(rw, p, CKA_ECERT_MAX_USER_TRIES, 5), CKR_USER_NOT_LOGGED_IN);  // nobody
  EXPECT_EQ(get_ulong(rw, p, CKA_ECERT_MAX_USER_TRIES), 15u);
  ASSERT_EQ(p11()->C_CloseSession(ro), CKR_OK);
  ASSERT_EQ(login(rw, CKU_SO, kSoPin), CKR_OK);
  EXPECT_EQ(set_ulong(rw, p, CKA_ECERT_MAX_USER_TRIES, 5), CKR_OK);
  EXPECT_EQ(get_ulong(rw, p, CKA_ECERT_MAX_USER_TRIES), 5u);
}

TEST_F(PinTest, SoSetsFiveMaxTriesThenFiveWrongTriesLock) {
  CK_SLOT_ID slot = ready_token();
  so_set_policy(slot, CKA_ECERT_MAX_USER_TRIES, 5);
  EXPECT_EQ(user_tries_left(slot), 5u);
  EXPECT_EQ(so_tries_left(slot), 15u);
  CK_SESSION_HANDLE s = open(slot);
  for (CK_ULONG i = 1; i <= 4; ++i) {
    ASSERT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT) << i;
    EXPECT_EQ(user_tries_left(slot), 5 - i);
    EXPECT_EQ(user_flags(slot),
              CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | (i == 4 ? CKF_USER_PIN_FINAL_TRY : 0))
        << i;
  }
  EXPECT_EQ(login(s, CKU_USER, kWrongPin), CKR_PIN_INCORRECT);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED | CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED);
  EXPECT_EQ(login(s, CKU_USER, kUserPin), CKR_PIN_LOCKED);
  // The policy is stored in the token.
  ASSERT_EQ(p11()->C_CloseSession(s), CKR_OK);
  restart();
  EXPECT_EQ(user_tries_left(slot), 0u);
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_EQ(get_ulong(ro, policy_object(ro), CKA_ECERT_MAX_USER_TRIES), 5u);
  EXPECT_EQ(login(ro, CKU_USER, kUserPin), CKR_PIN_LOCKED);
}

TEST_F(PinTest, PolicyObjectReadOnlyAndInvalidValues) {
  CK_SLOT_ID slot = ready_token();
  CK_SESSION_HANDLE s = open(slot);
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  CK_OBJECT_HANDLE p = policy_object(s);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_USER_TRIES_LEFT, 15), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_SO_TRIES_LEFT, 15), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_KDF_MEMORY_KIB, 8), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_KDF_ITERATIONS, 1), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_MAX_USER_TRIES, 0), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_MAX_USER_TRIES, 16), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_HISTORY_SIZE, 11), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(set_ulong(s, p, CKA_ECERT_MIN_PIN_LEN, 65), CKR_ATTRIBUTE_VALUE_INVALID);  // > max 64
  EXPECT_EQ(set_ulong(s, p, ECERT_ATTR(99), 1), CKR_ATTRIBUTE_TYPE_INVALID);
  // A refused template changes nothing, even its valid parts.
  CK_ULONG five = 5, three = 3;
  CK_ATTRIBUTE both[] = {{CKA_ECERT_MAX_USER_TRIES, &five, sizeof five},
                         {CKA_ECERT_USER_TRIES_LEFT, &three, sizeof three}};
  EXPECT_EQ(p11()->C_SetAttributeValue(s, p, both, 2), CKR_ATTRIBUTE_READ_ONLY);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MAX_USER_TRIES), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_USER_TRIES_LEFT), 15u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_MIN_PIN_LEN), 8u);
  EXPECT_EQ(get_ulong(s, p, CKA_ECERT_HISTORY_SIZE), 10u);
  // The policy object cannot be destroyed.
  EXPECT_EQ(p11()->C_DestroyObject(s, p), CKR_ACTION_PROHIBITED);
}

TEST_F(PinTest, PolicyMustChangeOffLetsTheIssuedPinWork) {
  CK_SLOT_ID slot = init_token();
  CK_SESSION_HANDLE s = open(slot);
  ASSERT_EQ(login(s, CKU_SO, kSoPin), CKR_OK);
  EXPECT_EQ(set_bool(s, policy_object(s), CKA_ECERT_MUST_CHANGE, CK_FALSE), CKR_OK);
  EXPECT_EQ(init_pin(s, "12345678"), CKR_OK);
  ASSERT_EQ(p11()->C_Logout(s), CKR_OK);
  EXPECT_EQ(user_flags(slot), CKF_USER_PIN_INITIALIZED);
  EXPECT_EQ(login(s, CKU_USER, "12345678"), CKR_OK);
}

}  // namespace
}  // namespace ecert::test
