// The measured PKCS#11 operations, each exactly the call sequence an
// application makes per operation (e.g. C_SignInit + C_Sign), and factories
// that give every benchmark thread its own session to run them in.
#pragma once

#include <string>

#include "module_loader.h"
#include "p11_util.h"
#include "timing.h"

// The mechanism of an operation, with OAEP parameters when it needs them.
struct MechanismSpec {
  CK_MECHANISM_TYPE type = 0;
  bool oaep_sha256 = false;  // CKM_RSA_PKCS_OAEP with SHA-256 / MGF1-SHA-256
};

Status p11_sign(const Session& session, const MechanismSpec& mech, CK_OBJECT_HANDLE key, const Bytes& input,
                Bytes& signature);
Status p11_decrypt(const Session& session, const MechanismSpec& mech, CK_OBJECT_HANDLE key, const Bytes& cipher,
                   Bytes& plain);
Status p11_sha256(const Session& session, const Bytes& input, Bytes& digest);
// Counts the objects whose CKA_LABEL is `label`.
Status p11_find_label(const Session& session, const std::string& label, CK_ULONG& found);
// C_OpenSession + C_Login + C_Logout + C_CloseSession.
Status p11_login_cycle(const Module& module, CK_SLOT_ID slot, const std::string& pin);

PrepareFn module_sign(const Module& module, CK_SLOT_ID slot, MechanismSpec mech, CK_OBJECT_HANDLE key, Bytes input);
PrepareFn module_decrypt(const Module& module, CK_SLOT_ID slot, MechanismSpec mech, CK_OBJECT_HANDLE key, Bytes cipher);
PrepareFn module_sha256(const Module& module, CK_SLOT_ID slot, Bytes input);
PrepareFn module_find_label(const Module& module, CK_SLOT_ID slot, std::string label);
PrepareFn module_login_cycle(const Module& module, CK_SLOT_ID slot, std::string pin);
