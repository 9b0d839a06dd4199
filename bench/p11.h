// The one place that includes the PKCS#11 header.
//
// p11-kit's pkcs11.h runs in "compat" mode: it maps its lower-case names to
// the standard CK_* spellings with macros and undoes most of them at the end,
// but a handful stay defined (hash_alg, source_data, ...). Left alone they
// would silently rename any identifier of ours with the same spelling.
#pragma once

#include <p11-kit/pkcs11.h>

#undef hash_alg
#undef s_len
#undef source_data
#undef source_data_len
#undef counter_bits
#undef iv_ptr
#undef iv_len
#undef iv_bits
#undef aad_ptr
#undef aad_len
#undef tag_bits
#undef shared_data_len
#undef shared_data
#undef public_data_len
#undef public_data
#undef string_data
#undef string_data_len
#undef data_params
