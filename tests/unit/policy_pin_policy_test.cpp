// Pure tests of src/policy/pin_policy.h: the owner's and the issuer's rules,
// the mapping of problems to CK_RV, the PIN history and the stored policy.
#include "policy/pin_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "rv_of.h"

namespace ecert::policy {
namespace {

using ecert::test::rv_of;

const PinPolicy kDefaults{};

PinProblem owner(std::string_view pin) { return check_owner_pin(kDefaults, pin); }
PinProblem issuer(std::string_view pin) { return check_issuer_pin(kDefaults, pin); }

SecureBytes sb(std::string_view s) { return secure_copy(view(s)); }

TEST(PinPolicyDefaults, AreTheECertRules) {
  EXPECT_EQ(kDefaults.min_length, 8u);
  EXPECT_EQ(kDefaults.max_length, 64u);
  EXPECT_TRUE(kDefaults.require_upper);
  EXPECT_TRUE(kDefaults.require_lower);
  EXPECT_TRUE(kDefaults.require_digit);
  EXPECT_TRUE(kDefaults.require_special);
  EXPECT_EQ(kDefaults.history_size, 10u);
  EXPECT_EQ(kDefaults.max_repeat, 3u);
  EXPECT_EQ(kDefaults.max_user_tries, 15u);
  EXPECT_EQ(kDefaults.max_so_tries, 15u);
  EXPECT_EQ(kDefaults.issuer_min_length, 8u);
  EXPECT_EQ(kDefaults.issuer_max_length, 64u);
  EXPECT_TRUE(kDefaults.must_change);
  EXPECT_EQ(rv_of([] { kDefaults.validate(); }), CKR_OK);
}

TEST(OwnerPin, AcceptsAPinWithEveryClass) {
  EXPECT_EQ(owner("User-Pin#2026"), PinProblem::none);
  EXPECT_EQ(owner("Aa1!bcde"), PinProblem::none);  // exactly 8 bytes
}

TEST(OwnerPin, LengthCountsCharactersNotBytes) {
  EXPECT_EQ(owner("Aa1!bcd"), PinProblem::too_short);  // 7 characters
  // "Ab1!陳大文": 7 characters in 13 bytes, too short (it passed when bytes
  // were counted).
  EXPECT_EQ(owner("Ab1!\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87"), PinProblem::too_short);
  EXPECT_EQ(owner("Ab1!\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87x"), PinProblem::none);  // 8 characters
  std::string max = "Aa1!" + std::string(60, 'x');
  for (std::size_t i = 4; i < max.size(); i += 3) max[i] = 'y';  // no run longer than 2
  ASSERT_EQ(max.size(), 64u);
  EXPECT_EQ(owner(max), PinProblem::none);
  EXPECT_EQ(owner(max + "z"), PinProblem::too_long);
  // 64 characters in 186 bytes: allowed; one more character is too long.
  std::string wide = "Aa1!";
  for (int i = 0; i < 60; ++i) wide += (i % 2 == 0) ? "\xE4\xB8\xAD" : "\xE6\x96\x87";
  ASSERT_EQ(wide.size(), 184u);
  EXPECT_EQ(owner(wide), PinProblem::none);
  EXPECT_EQ(owner(wide + "\xF0\x9F\x94\x91"), PinProblem::too_long);  // a 4-byte character
}

TEST(OwnerPin, InvalidUtf8HasItsOwnProblemWhateverItsLength) {
  EXPECT_EQ(owner("\xFF"), PinProblem::not_utf8);
  EXPECT_EQ(owner(""), PinProblem::too_short);
  EXPECT_EQ(owner(std::string(300, '\xC3')), PinProblem::not_utf8);
}

TEST(PinLengths, CharacterCount) {
  EXPECT_EQ(character_count(""), 0u);
  EXPECT_EQ(character_count("abc"), 3u);
  EXPECT_EQ(character_count("\xE9\x99\xB3\xE5\xA4\xA7\xE6\x96\x87"), 3u);
  EXPECT_EQ(character_count("\xF0\x9F\x94\x91!"), 2u);
}

TEST(PinLengths, TokenInfoBytesCoverTheCharacterRule) {
  PinPolicy p;
  EXPECT_EQ(p.min_pin_bytes(), 8u);
  EXPECT_EQ(p.max_pin_bytes(), 64u * 4u);  // 64 characters of up to 4 bytes each
  p.issuer_min_length = 6;
  p.max_length = 20;
  p.issuer_max_length = 30;
  EXPECT_EQ(p.min_pin_bytes(), 6u);
  EXPECT_EQ(p.max_pin_bytes(), 120u);
}

TEST(OwnerPin, EachMissingClass) {
  EXPECT_EQ(owner("user-pin#2026"), PinProblem::no_upper);
  EXPECT_EQ(owner("USER-PIN#2026"), PinProblem::no_lower);
  EXPECT_EQ(owner("User-Pin#abcd"), PinProblem::no_digit);
  EXPECT_EQ(owner("UserPin2026x"), PinProblem::no_special);
}

TEST(OwnerPin, SpecialIsAnyOtherPrintableCharacter) {
  EXPECT_EQ(owner("User Pin2026"), PinProblem::none);             // space
  EXPECT_EQ(owner("UserPin2026\xE4\xB8\xAD"), PinProblem::none);  // CJK
  EXPECT_EQ(owner("UserPin2026\xC3\xA9"), PinProblem::none);      // é counts as special
  EXPECT_EQ(owner("UserPin2026~"), PinProblem::none);
  // Non-ASCII letters are not upper/lower case for the rule.
  EXPECT_EQ(owner("\xC3\x89\xC3\xA9\xC3\xA9"
                  "1234!x"),
            PinProblem::no_upper);
}

TEST(OwnerPin, ControlCharactersAndBadUtf8AreInvalid) {
  EXPECT_EQ(owner("User\tPin#2026"), PinProblem::control_character);
  EXPECT_EQ(owner(std::string("User-Pin#2026\0", 14)), PinProblem::control_character);
  EXPECT_EQ(owner("User-Pin#2026\x7F"), PinProblem::control_character);
  EXPECT_EQ(owner("User-Pin#2026\xFF"), PinProblem::not_utf8);
  EXPECT_EQ(owner("User-Pin#2026\xE4\xB8"), PinProblem::not_utf8);  // cut character
}

TEST(OwnerPin, RunsOfOneCharacter) {
  EXPECT_EQ(owner("Aaaa1!xy"), PinProblem::none);  // A then three a: run of 3
  EXPECT_EQ(owner("Aaaaa1!x"), PinProblem::repeated_character);
  EXPECT_EQ(owner("Ab1!1111"), PinProblem::repeated_character);
  EXPECT_EQ(owner("Ab1!!!!x"), PinProblem::repeated_character);
  // A multi-byte character counts as one character.
  EXPECT_EQ(owner("Ab1!x\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD"), PinProblem::none);
  EXPECT_EQ(owner("Ab1!\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD"), PinProblem::repeated_character);
  PinPolicy any = kDefaults;
  any.max_repeat = 0;
  EXPECT_EQ(check_owner_pin(any, "Ab1!xxxxxxxx"), PinProblem::none);
  PinPolicy two = kDefaults;
  two.max_repeat = 2;
  EXPECT_EQ(check_owner_pin(two, "Aaaa1!xy"), PinProblem::repeated_character);
  EXPECT_EQ(check_owner_pin(two, "Aaa1!xyz"), PinProblem::none);
}

TEST(OwnerPin, LengthIsCheckedFirst) {
  EXPECT_EQ(owner("aaaa"), PinProblem::too_short);
  EXPECT_EQ(owner(std::string(65, 'a')), PinProblem::too_long);
}

TEST(OwnerPin, RequirementsFollowThePolicy) {
  PinPolicy lax = kDefaults;
  lax.require_upper = lax.require_lower = lax.require_digit = lax.require_special = false;
  EXPECT_EQ(check_owner_pin(lax, "12345678"), PinProblem::none);
  EXPECT_EQ(check_owner_pin(lax, "abcdefgh"), PinProblem::none);
  lax.min_length = 4;
  lax.max_length = 6;
  EXPECT_EQ(check_owner_pin(lax, "1234"), PinProblem::none);
  EXPECT_EQ(check_owner_pin(lax, "123"), PinProblem::too_short);
  EXPECT_EQ(check_owner_pin(lax, "1234567"), PinProblem::too_long);
}

TEST(IssuerPin, DigitsAloneAllowed) {
  EXPECT_EQ(issuer("12345678"), PinProblem::none);
  EXPECT_EQ(issuer("1234567"), PinProblem::too_short);
  EXPECT_EQ(issuer(std::string(64, '7')), PinProblem::none);  // no repeat rule for the issuer
  EXPECT_EQ(issuer(std::string(65, '7')), PinProblem::too_long);
  EXPECT_EQ(issuer("1234\n5678"), PinProblem::control_character);
  EXPECT_EQ(issuer("12345678\xC0\xAF"), PinProblem::not_utf8);
  PinPolicy p = kDefaults;
  p.issuer_min_length = 6;
  EXPECT_EQ(check_issuer_pin(p, "123456"), PinProblem::none);
}

TEST(PinProblemRv, LengthOrInvalid) {
  EXPECT_EQ(pin_problem_rv(PinProblem::none), CKR_OK);
  EXPECT_EQ(pin_problem_rv(PinProblem::too_short), CKR_PIN_LEN_RANGE);
  EXPECT_EQ(pin_problem_rv(PinProblem::too_long), CKR_PIN_LEN_RANGE);
  for (PinProblem p :
       {PinProblem::not_utf8, PinProblem::control_character, PinProblem::no_upper, PinProblem::no_lower,
        PinProblem::no_digit, PinProblem::no_special, PinProblem::repeated_character, PinProblem::reused}) {
    EXPECT_EQ(pin_problem_rv(p), CKR_PIN_INVALID) << static_cast<int>(p);
  }
}

TEST(PinHistory, EncodeDecodeRoundTrip) {
  std::vector<SecureBytes> pins{sb("User-Pin#2026"), sb(""), sb(std::string_view("\xE4\xB8\xAD\x00\x01", 5)),
                                sb(std::string(300, 'q'))};
  SecureBytes encoded = encode_history(pins);
  EXPECT_EQ(encoded.size(), 4 * 4 + 13 + 0 + 5 + 300);
  // Little-endian length prefix.
  EXPECT_EQ(encoded[0], 13);
  EXPECT_EQ(encoded[1], 0);
  std::vector<SecureBytes> back = decode_history(view(encoded));
  ASSERT_EQ(back.size(), pins.size());
  for (std::size_t i = 0; i < pins.size(); ++i) EXPECT_EQ(back[i], pins[i]) << i;
  EXPECT_TRUE(decode_history(ByteView{}).empty());
  EXPECT_TRUE(encode_history({}).empty());
}

TEST(PinHistory, DecodeRejectsCorruptInput) {
  SecureBytes encoded = encode_history({sb("User-Pin#2026"), sb("Other-Pin#1")});
  // An entry longer than what is left.
  SecureBytes cut(encoded.begin(), encoded.end() - 1);
  EXPECT_EQ(rv_of([&] { decode_history(view(cut)); }), CKR_DEVICE_ERROR);
  SecureBytes huge = encoded;
  huge[3] = 0x7F;
  EXPECT_EQ(rv_of([&] { decode_history(view(huge)); }), CKR_DEVICE_ERROR);
  // Trailing bytes too short to be a length prefix.
  SecureBytes trailing = encoded;
  trailing.push_back(1);
  trailing.push_back(0);
  EXPECT_EQ(rv_of([&] { decode_history(view(trailing)); }), CKR_DEVICE_ERROR);
}

TEST(PinHistory, PushKeepsNewestFirstAndTheSize) {
  std::vector<SecureBytes> h;
  for (int i = 0; i < 12; ++i) push_history(h, view("Pin#" + std::to_string(i)), 10);
  ASSERT_EQ(h.size(), 10u);
  EXPECT_EQ(h.front(), sb("Pin#11"));
  EXPECT_EQ(h.back(), sb("Pin#2"));
  EXPECT_TRUE(in_history(h, view(std::string_view("Pin#2"))));
  EXPECT_FALSE(in_history(h, view(std::string_view("Pin#1"))));
  EXPECT_FALSE(in_history(h, view(std::string_view("Pin#"))));     // prefix is not equal
  EXPECT_FALSE(in_history(h, view(std::string_view("Pin#111"))));  // longer is not equal
  std::vector<SecureBytes> none;
  push_history(none, view(std::string_view("Pin#1")), 0);
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(in_history(none, view(std::string_view("Pin#1"))));
}

TEST(PolicyValues, RoundTripAndDefaults) {
  EXPECT_EQ(rv_of([] { PinPolicy::from_values({}); }), CKR_OK);
  PinPolicy d = PinPolicy::from_values({});
  EXPECT_EQ(d.to_values(), kDefaults.to_values());
  PinPolicy p = kDefaults;
  p.min_length = 10;
  p.max_length = 40;
  p.require_special = false;
  p.history_size = 3;
  p.max_repeat = 0;
  p.max_user_tries = 5;
  p.max_so_tries = 7;
  p.issuer_min_length = 6;
  p.issuer_max_length = 12;
  p.must_change = false;
  p.protected_path = true;
  auto values = p.to_values();
  EXPECT_EQ(values.size(), 16u);
  EXPECT_EQ(values.at("protected_path"), 1);
  EXPECT_FALSE(kDefaults.protected_path);
  EXPECT_EQ(values.at("max_user_tries"), 5);
  EXPECT_EQ(values.at("require_special"), 0);
  EXPECT_EQ(values.at("must_change"), 0);
  EXPECT_EQ(PinPolicy::from_values(values).to_values(), values);
  // Unknown names are ignored, missing ones keep their defaults.
  PinPolicy partial = PinPolicy::from_values({{"max_user_tries", 4}, {"future_rule", 99}});
  EXPECT_EQ(partial.max_user_tries, 4u);
  EXPECT_EQ(partial.max_so_tries, 15u);
}

TEST(PolicyValues, StoredNonsenseIsNotRecognized) {
  auto rv = [](std::map<std::string, std::int64_t> v) { return rv_of([&] { PinPolicy::from_values(v); }); };
  EXPECT_EQ(rv({{"min_length", -1}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"max_length", 0x100000000LL}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"min_length", 0}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"min_length", 20}, {"max_length", 10}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"max_length", 257}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"issuer_min_length", 65}}), CKR_TOKEN_NOT_RECOGNIZED);  // > issuer max 64
  EXPECT_EQ(rv({{"max_user_tries", 0}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"max_user_tries", 16}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"max_so_tries", 0}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"history_size", 11}}), CKR_TOKEN_NOT_RECOGNIZED);
  EXPECT_EQ(rv({{"max_repeat", 257}}), CKR_TOKEN_NOT_RECOGNIZED);
  // Edges that are fine.
  EXPECT_EQ(rv({{"max_user_tries", 1}, {"max_so_tries", 15}, {"history_size", 0}}), CKR_OK);
  EXPECT_EQ(rv({{"min_length", 256}, {"max_length", 256}}), CKR_OK);
}

TEST(PolicyValidate, OutOfRangeIsAttributeValueInvalid) {
  auto rv = [](auto change) {
    PinPolicy p;
    change(p);
    return rv_of([&] { p.validate(); });
  };
  EXPECT_EQ(rv([](PinPolicy& p) { p.max_user_tries = 16; }), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(rv([](PinPolicy& p) { p.max_so_tries = 0; }), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(rv([](PinPolicy& p) { p.max_length = 7; }), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(rv([](PinPolicy& p) { p.issuer_max_length = 300; }), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(rv([](PinPolicy& p) { p.history_size = 11; }), CKR_ATTRIBUTE_VALUE_INVALID);
  EXPECT_EQ(rv([](PinPolicy& p) { p.max_user_tries = 5; }), CKR_OK);
}

}  // namespace
}  // namespace ecert::policy

namespace ecert::policy {
namespace {

// A narrower rule keeps the limits wide enough for the PINs set under the
// rule it replaces; a wider one widens them; limits never narrow while the
// token lives (C_InitToken starts from the defaults again).
TEST(PinLengths, HeldLimitsCoverPinsSetUnderEarlierRules) {
  PinPolicy first;  // 8..64 characters: 8..256 bytes
  PinPolicy narrow = first;
  narrow.min_length = narrow.issuer_min_length = 12;
  narrow.max_length = narrow.issuer_max_length = 20;
  EXPECT_EQ(narrow.min_pin_bytes(), 12u);  // alone, as on a fresh token
  PinPolicy after = narrow.replacing(first);
  EXPECT_EQ(after.min_pin_bytes(), 8u);
  EXPECT_EQ(after.max_pin_bytes(), 256u);
  EXPECT_EQ(check_owner_pin(after, "Eleven#Ab1x"), PinProblem::too_short);  // the rules are the new ones
  PinPolicy wide = after;
  wide.min_length = 6;
  wide.issuer_min_length = 6;
  PinPolicy later = wide.replacing(after);
  EXPECT_EQ(later.min_pin_bytes(), 6u);
  EXPECT_EQ(later.max_pin_bytes(), 256u);
  EXPECT_EQ(PinPolicy::from_values(later.to_values()).min_pin_bytes(), 6u);
}

}  // namespace
}  // namespace ecert::policy
