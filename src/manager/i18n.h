// Translations of the manager's user-facing text through gettext (domain
// "ecert-token"): English in the source, Traditional Chinese (zh_HK, zh_TW)
// in po/. Front ends call init_translations() once; the library's messages
// (messages.h) and the CLI's own strings then follow the user's locale.
#pragma once

namespace ecert::manager {

inline constexpr const char* kTextDomain = "ecert-token";

// setlocale(LC_ALL, "") and binds the text domain to: $ECERT_LOCALEDIR if
// set, else the build tree's catalogues when run from there, else the
// installed locale directory.
void init_translations();

// The translation of `text` in the current locale (the text itself when
// there is none).
const char* tr(const char* text);
// Singular/plural form for `n` (Chinese has one form, English two).
const char* tr_n(const char* singular, const char* plural, unsigned long n);

}  // namespace ecert::manager

// Marks a string for xgettext without translating it where it stands (for
// tables that are translated when shown).
#define N_(text) text
