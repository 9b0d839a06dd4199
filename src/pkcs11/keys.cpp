// Key management and random numbers: C_GenerateKeyPair, C_SeedRandom,
// C_GenerateRandom, and C_GenerateKey, C_WrapKey, C_UnwrapKey, C_DeriveKey
// (not supported: secret keys come from C_CreateObject, and keys never leave
// or enter the token wrapped).

#include "pkcs11/call.h"

using namespace ecert::pkcs11;
using ecert::AttributeMap;
namespace services = ecert::token;

// Secret keys are created with C_CreateObject only (for now).
ECERT_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                                 CK_ATTRIBUTE_PTR /*pTemplate*/, CK_ULONG /*ulCount*/, CK_OBJECT_HANDLE_PTR /*phKey*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,
                                     CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount,
                                     CK_ATTRIBUTE_PTR pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount,
                                     CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Mechanism{pMechanism},
                           trace::Template{"public_template", pPublicKeyTemplate, ulPublicKeyAttributeCount},
                           trace::Template{"private_template", pPrivateKeyTemplate, ulPrivateKeyAttributeCount},
                           trace::NewHandle{"public_key", phPublicKey}, trace::NewHandle{"private_key", phPrivateKey});
  return call(traced, [&] {
    require_arg(pMechanism != nullptr);
    require_arg(phPublicKey != nullptr && phPrivateKey != nullptr);
    const AttributeMap public_template = AttributeMap::from_template(pPublicKeyTemplate, ulPublicKeyAttributeCount);
    const AttributeMap private_template = AttributeMap::from_template(pPrivateKeyTemplate, ulPrivateKeyAttributeCount);
    const auto [public_key, private_key] =
        services::generate_key_pair(hSession, *pMechanism, public_template, private_template);
    *phPublicKey = public_key;
    *phPrivateKey = private_key;
  });
}

// Keys never leave the token wrapped, nor enter it that way; no derivation.
ECERT_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                             CK_OBJECT_HANDLE /*hWrappingKey*/, CK_OBJECT_HANDLE /*hKey*/, CK_BYTE_PTR /*pWrappedKey*/,
                             CK_ULONG_PTR /*pulWrappedKeyLen*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                               CK_OBJECT_HANDLE /*hUnwrappingKey*/, CK_BYTE_PTR /*pWrappedKey*/,
                               CK_ULONG /*ulWrappedKeyLen*/, CK_ATTRIBUTE_PTR /*pTemplate*/,
                               CK_ULONG /*ulAttributeCount*/, CK_OBJECT_HANDLE_PTR /*phKey*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE /*hSession*/, CK_MECHANISM_PTR /*pMechanism*/,
                               CK_OBJECT_HANDLE /*hBaseKey*/, CK_ATTRIBUTE_PTR /*pTemplate*/,
                               CK_ULONG /*ulAttributeCount*/, CK_OBJECT_HANDLE_PTR /*phKey*/) {
  return unsupported(__func__);
}

ECERT_EXPORT CK_RV C_SeedRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Bytes{"seed", pSeed, ulSeedLen});
  return call(traced, [&] { services::seed_random(hSession, input(pSeed, ulSeedLen)); });
}

ECERT_EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pRandomData, CK_ULONG ulRandomLen) {
  const trace::Call traced(__func__, trace::Session{hSession}, trace::Number{"length", ulRandomLen});
  return call(traced, [&] {
    require_array(pRandomData, ulRandomLen);
    services::generate_random(hSession, pRandomData, ulRandomLen);
  });
}
