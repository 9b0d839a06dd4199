// The translation of every text a person reads, through GNU gettext in the
// text domain "ecert-token" (catalogues in po/; zh_HK and zh_TW today). One
// binding for the whole process: the manager, the CLI and the PKCS#11 module
// (whose pinentry dialogs run inside someone else's program) all look up the
// same catalogue directory, so loading the module never redirects the
// manager's translations.
//
// The locale is never set here: a front end calls std::setlocale itself (see
// manager/i18n.h); inside a host program such as Firefox the module follows
// the host's LC_MESSAGES.
#pragma once

namespace ecert {

inline constexpr const char* kTextDomain = "ecert-token";

// Binds the text domain once per process (later calls do nothing) to:
// $ECERT_LOCALEDIR if set (read with secure_getenv), else the build tree's
// catalogues when this code runs from the build tree, else the installed
// locale directory. Also asks for UTF-8 output. tr() and tr_n() call it.
void bind_text_domain();

// The translation of `text` in the current LC_MESSAGES (the text itself when
// there is none).
const char* tr(const char* text);
// Singular/plural form for `n` (Chinese has one form, English two).
const char* tr_n(const char* singular, const char* plural, unsigned long n);

}  // namespace ecert

// Marks a string for xgettext without translating it where it stands (for
// tables that are translated when shown).
#define N_(text) text
// The same for a singular/plural pair, translated with tr_n() when shown; it
// stands for the two strings (two initialisers of a table row).
#define N_n(singular, plural) singular, plural
