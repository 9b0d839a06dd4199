// Renaming a token through the policy object's CKA_ECERT_TOKEN_LABEL (PKCS#11
// itself can only relabel with C_InitToken, which wipes the token): who may,
// which values are refused, what C_GetTokenInfo shows, and that the new label
// is in the file. Another process seeing it: module_multiprocess_test.cpp.
#include <cstring>
#include <string>

#include "module_test_support.h"

namespace ecert::test {
namespace {

using namespace support;

// Ten CJK characters, three bytes each in UTF-8.
const std::string kTenChinese =
    "\xE9\x9B\xBB\xE5\xAD\x90\xE8\xAD\x89\xE6\x9B\xB8\xE9\xA6\x99\xE6\xB8\xAF"
    "\xE9\x83\xB5\xE6\x94\xBF\xE8\xAD\x89\xE6\x9B\xB8";  // 電子證書香港郵政證書
const std::string kOneChinese = "\xE4\xB8\xAD";          // 中

class ModuleRename : public ModuleTest {
 protected:
  CK_OBJECT_HANDLE policy(CK_SESSION_HANDLE s) {
    auto found = find(s, Template().cls(CKO_ECERT_POLICY));
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? CK_INVALID_HANDLE : found[0];
  }
  CK_RV set_label(CK_SESSION_HANDLE s, const std::string& label) {
    Template t = Template().str(CKA_ECERT_TOKEN_LABEL, label);
    return p11()->C_SetAttributeValue(s, policy(s), t.data(), t.size());
  }
  std::string label_attribute(CK_SESSION_HANDLE s) {
    return string_of(attr_bytes(s, policy(s), CKA_ECERT_TOKEN_LABEL));
  }
  // CK_TOKEN_INFO.label as it is, all 32 bytes.
  std::string info_label(CK_SLOT_ID slot) {
    CK_TOKEN_INFO info = token_info(slot);
    return std::string(reinterpret_cast<const char*>(info.label), sizeof info.label);
  }
  static std::string padded(const std::string& label) { return label + std::string(32 - label.size(), ' '); }
  // An R/W session with the SO logged in.
  CK_SESSION_HANDLE so_session(CK_SLOT_ID slot) {
    CK_SESSION_HANDLE s = open(slot);
    EXPECT_CKR(CKR_OK, login(s, CKU_SO, kSoPin));
    return s;
  }
};

TEST_F(ModuleRename, SoRenamesAndTheNewLabelSurvivesARestart) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_TOKEN_INFO before = token_info(slot);
  CK_SESSION_HANDLE so = so_session(slot);
  EXPECT_CKR(CKR_OK, set_label(so, "Alice's e-Cert"));
  EXPECT_EQ(info_label(slot), padded("Alice's e-Cert"));
  EXPECT_EQ(label_attribute(so), "Alice's e-Cert");
  // Only the label changed: the same token, PINs, policy and slot.
  CK_TOKEN_INFO after = token_info(slot);
  EXPECT_EQ(std::memcmp(after.serialNumber, before.serialNumber, sizeof before.serialNumber), 0);
  EXPECT_EQ(after.flags, before.flags);
  EXPECT_EQ(attr_ulong(so, policy(so), CKA_ECERT_MAX_USER_TRIES), 15u);
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(so));

  restart();
  EXPECT_EQ(info_label(slot), padded("Alice's e-Cert"));
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_EQ(label_attribute(ro), "Alice's e-Cert");
  EXPECT_CKR(CKR_OK, login(ro, CKU_USER, kUserPin));
}

TEST_F(ModuleRename, LabelIsReadableWithoutLogin) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE ro = open(slot, false);
  CK_ATTRIBUTE a{CKA_ECERT_TOKEN_LABEL, nullptr, 0};
  ASSERT_CKR(CKR_OK, p11()->C_GetAttributeValue(ro, policy(ro), &a, 1));
  EXPECT_EQ(a.ulValueLen, 6u) << "the label without its padding";
  EXPECT_EQ(label_attribute(ro), "e-Cert");
}

TEST_F(ModuleRename, TrailingSpacesAreDroppedLikeCInitTokenPadding) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE so = so_session(slot);
  EXPECT_CKR(CKR_OK, set_label(so, "Padded   "));
  EXPECT_EQ(label_attribute(so), "Padded");
  EXPECT_EQ(info_label(slot), padded("Padded"));
  // CK_TOKEN_INFO.label as read (32 bytes, space padded) is taken as is.
  EXPECT_CKR(CKR_OK, set_label(so, padded("From the field")));
  EXPECT_EQ(label_attribute(so), "From the field");
  // Leading and inner spaces are part of the label.
  EXPECT_CKR(CKR_OK, set_label(so, " two  words"));
  EXPECT_EQ(label_attribute(so), " two  words");
}

TEST_F(ModuleRename, OnlyTheSoInAnRwSessionRenames) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE public_ro = open(slot, false);
  EXPECT_CKR(CKR_SESSION_READ_ONLY, set_label(public_ro, "by public R/O"));
  CK_SESSION_HANDLE public_rw = open(slot);
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, set_label(public_rw, "by public R/W"));
  ASSERT_CKR(CKR_OK, login(public_ro, CKU_USER, kUserPin));
  EXPECT_CKR(CKR_SESSION_READ_ONLY, set_label(public_ro, "by user R/O"));
  EXPECT_CKR(CKR_USER_NOT_LOGGED_IN, set_label(public_rw, "by user R/W"));
  EXPECT_EQ(info_label(slot), padded("e-Cert"));
  EXPECT_EQ(label_attribute(public_rw), "e-Cert");
  ASSERT_CKR(CKR_OK, p11()->C_Logout(public_rw));

  // There is no SO R/O session: the SO cannot log in while one is open, and
  // none opens while the SO is logged in.
  EXPECT_CKR(CKR_SESSION_READ_ONLY_EXISTS, login(public_rw, CKU_SO, kSoPin));
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(public_ro));
  ASSERT_CKR(CKR_OK, login(public_rw, CKU_SO, kSoPin));
  CK_SESSION_HANDLE ro = CK_INVALID_HANDLE;
  EXPECT_CKR(CKR_SESSION_READ_WRITE_SO_EXISTS, p11()->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &ro));
  EXPECT_EQ(info_label(slot), padded("e-Cert"));
  EXPECT_CKR(CKR_OK, set_label(public_rw, "by the SO"));
  EXPECT_EQ(info_label(slot), padded("by the SO"));
}

TEST_F(ModuleRename, InvalidLabelsAreRefusedAndChangeNothing) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE so = so_session(slot);
  CK_OBJECT_HANDLE p = policy(so);
  const std::string refused[] = {
      std::string(),                   // empty
      "     ",                         // only spaces: empty once the padding goes
      std::string(33, 'x'),            // one byte too long
      std::string(32, 'x') + " ",      // too long, even if the excess is a space
      "bad \xFF byte",                 // not UTF-8
      "lone \x80 continuation",        //
      "overlong \xC0\xAF slash",       //
      "surrogate \xED\xA0\x80",        //
      "cut \xE4\xB8",                  // a character missing its last byte
      "tab\there",                     // C0 control characters
      "new\nline",                     //
      "trailing newline\n",            //
      std::string("nul\0inside", 10),  //
      std::string("nul at end\0", 11),
      "del\x7F",             // DEL
      "next line \xC2\x85",  // a C1 control character (U+0085)
  };
  for (const std::string& label : refused) {
    EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, set_label(so, label))
        << "label \"" << label << "\" (" << label.size() << " bytes)";
  }
  // An empty value, with or without a pointer, is still empty.
  CK_ATTRIBUTE null_empty{CKA_ECERT_TOKEN_LABEL, nullptr, 0};
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_SetAttributeValue(so, p, &null_empty, 1));
  char buffer[8] = "unused";
  CK_ATTRIBUTE zero_length{CKA_ECERT_TOKEN_LABEL, buffer, 0};
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_SetAttributeValue(so, p, &zero_length, 1));
  // No value but a length: the caller's mistake, found before any rule.
  CK_ATTRIBUTE null_value{CKA_ECERT_TOKEN_LABEL, nullptr, 6};
  EXPECT_CKR(CKR_ARGUMENTS_BAD, p11()->C_SetAttributeValue(so, p, &null_value, 1));
  EXPECT_EQ(info_label(slot), padded("e-Cert"));
  EXPECT_EQ(label_attribute(so), "e-Cert");
  // Still the SO's session, and still renaming.
  EXPECT_CKR(CKR_OK, set_label(so, "fine"));
  EXPECT_EQ(info_label(slot), padded("fine"));
}

TEST_F(ModuleRename, ChineseLabelsUpTo32BytesAreKeptWhole) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE so = so_session(slot);
  ASSERT_EQ(kTenChinese.size(), 30u);
  EXPECT_CKR(CKR_OK, set_label(so, kTenChinese));
  EXPECT_EQ(info_label(slot), padded(kTenChinese));
  EXPECT_EQ(label_attribute(so), kTenChinese);
  // Exactly 32 bytes: the field is all label, no padding.
  std::string full = "HK" + kTenChinese;
  EXPECT_CKR(CKR_OK, set_label(so, full));
  EXPECT_EQ(info_label(slot), full);
  // Eleven characters are 33 bytes: refused, not cut to fit...
  std::string eleven = kTenChinese + kOneChinese;
  ASSERT_EQ(eleven.size(), 33u);
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, set_label(so, eleven));
  // ...and their first 32 bytes end inside the eleventh character.
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, set_label(so, eleven.substr(0, 32)));
  EXPECT_EQ(info_label(slot), full);
  restart();
  EXPECT_EQ(info_label(slot), full);
}

TEST_F(ModuleRename, LabelAndPolicyInOneCallChangeTogetherOrNotAtAll) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE so = so_session(slot);
  CK_OBJECT_HANDLE p = policy(so);
  Template bad = Template().ulong(CKA_ECERT_MAX_USER_TRIES, 5).str(CKA_ECERT_TOKEN_LABEL, std::string(33, 'x'));
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_SetAttributeValue(so, p, bad.data(), bad.size()));
  Template bad_policy = Template().ulong(CKA_ECERT_MAX_USER_TRIES, 99).str(CKA_ECERT_TOKEN_LABEL, "renamed");
  EXPECT_CKR(CKR_ATTRIBUTE_VALUE_INVALID, p11()->C_SetAttributeValue(so, p, bad_policy.data(), bad_policy.size()));
  Template read_only = Template().ulong(CKA_ECERT_USER_TRIES_LEFT, 3).str(CKA_ECERT_TOKEN_LABEL, "renamed");
  EXPECT_CKR(CKR_ATTRIBUTE_READ_ONLY, p11()->C_SetAttributeValue(so, p, read_only.data(), read_only.size()));
  EXPECT_EQ(attr_ulong(so, p, CKA_ECERT_MAX_USER_TRIES), 15u);
  EXPECT_EQ(info_label(slot), padded("e-Cert"));

  Template good = Template().ulong(CKA_ECERT_MAX_USER_TRIES, 5).str(CKA_ECERT_TOKEN_LABEL, "renamed");
  EXPECT_CKR(CKR_OK, p11()->C_SetAttributeValue(so, p, good.data(), good.size()));
  EXPECT_EQ(attr_ulong(so, p, CKA_ECERT_MAX_USER_TRIES), 5u);
  EXPECT_EQ(info_label(slot), padded("renamed"));
}

TEST_F(ModuleRename, CInitTokenStillSetsTheLabelAfterARename) {
  CK_SLOT_ID slot = ready_token("e-Cert");
  CK_SESSION_HANDLE so = so_session(slot);
  ASSERT_CKR(CKR_OK, set_label(so, "renamed"));
  ASSERT_CKR(CKR_OK, p11()->C_CloseSession(so));
  CK_UTF8CHAR field[32];
  std::memset(field, ' ', sizeof field);
  std::memcpy(field, "wiped", 5);
  ASSERT_CKR(CKR_OK, p11()->C_InitToken(slot, pin_ptr(kSoPin), pin_len(kSoPin), field));
  EXPECT_EQ(info_label(slot), padded("wiped"));
  CK_SESSION_HANDLE ro = open(slot, false);
  EXPECT_EQ(label_attribute(ro), "wiped");
}

}  // namespace
}  // namespace ecert::test
