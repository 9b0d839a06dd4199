// CKM_RSA_PKCS decryption with implicit rejection (issue 17, item 2): a
// ciphertext with bad PKCS#1 v1.5 padding decrypts without error to a
// synthetic message derived from the key and the ciphertext, so the return
// code is no Bleichenbacher oracle. The synthetic messages are checked against
// the published known answers of OpenSSL 3.2 (the "Bleichenbacher workaround"
// vectors of test/recipes/30-test_evp_data/evppkey_rsa_common.txt, keys
// RSA-2048-2 and RSA-2049), which follow draft-irtf-cfrg-rsa-guidance.
#include <openssl/bio.h>
#include <openssl/pem.h>

#include <iterator>
#include <set>
#include <string>

#include "crypto_test_support.h"

namespace ecert::crypto::test {
namespace {

// The published test keys (test data, not secrets).
constexpr const char* kRsa2048_2 = R"(-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAyMyDlxQJjaVsqiNkD5PciZfBY3KWj8Gwxt9RE8HJTosh5IrS
KX5lQZARtObY9ec7G3iyV0ADIdHva2AtTsjOjRQclJBetK0wZjmkkgZTS25/JgdC
Ppff/RM8iNchOZ3vvH6WzNy9fzquH+iScSv7SSmBfVEWZkQKH6y3ogj16hZZEK3Y
o/LUlyAjYMy2MgJPDQcWnBkY8xb3lLFDrvVOyHUipMApePlomYC/+/ZJwwfoGBm/
+IQJY41IvZS+FStZ/2SfoL1inQ/6GBPDq/S1a9PC6lRl3/oUWJKSqdiiStJr5+4F
EHQbY4LUPIPVv6QKRmE9BivkRVF9vK8MtOGnaQIDAQABAoIBABRVAQ4PLVh2Y6Zm
pv8czbvw7dgQBkbQKgI5IpCJksStOeVWWSlybvZQjDpxFY7wtv91HTnQdYC7LS8G
MhBELQYD/1DbvXs1/iybsZpHoa+FpMJJAeAsqLWLeRmyDt8yqs+/Ua20vEthubfp
aMqk1XD3DvGNgGMiiJPkfUOe/KeTJZvPLNEIo9hojN8HjnrHmZafIznSwfUiuWlo
RimpM7quwmgWJeq4T05W9ER+nYj7mhmc9xAj4OJXsURBszyE07xnyoAx0mEmGBA6
egpAhEJi912IkM1hblH5A1SI/W4Jnej/bWWk/xGCVIB8n1jS+7qLoVHcjGi+NJyX
eiBOBMECgYEA+PWta6gokxvqRZuKP23AQdI0gkCcJXHpY/MfdIYColY3GziD7UWe
z5cFJkWe3RbgVSL1pF2UdRsuwtrycsf4gWpSwA0YCAFxY02omdeXMiL1G5N2MFSG
lqn32MJKWUl8HvzUVc+5fuhtK200lyszL9owPwSZm062tcwLsz53Yd0CgYEAznou
O0mpC5YzChLcaCvfvfuujdbcA7YUeu+9V1dD8PbaTYYjUGG3Gv2crS00Al5WrIaw
93Q+s14ay8ojeJVCRGW3Bu0iF15XGMjHC2cD6o9rUQ+UW+SOWja7PDyRcytYnfwF
1y2AkDGURSvaITSGR+xylD8RqEbmL66+jrU2sP0CgYB2/hXxiuI5zfHfa0RcpLxr
uWjXiMIZM6T13NKAAz1nEgYswIpt8gTB+9C+RjB0Q+bdSmRWN1Qp1OA4yiVvrxyb
3pHGsXt2+BmV+RxIy768e/DjSUwINZ5OjNalh9e5bWIh/X4PtcVXXwgu5XdpeYBx
sru0oyI4FRtHMUu2VHkDEQKBgQCZiEiwVUmaEAnLx9KUs2sf/fICDm5zZAU+lN4a
AA3JNAWH9+JydvaM32CNdTtjN3sDtvQITSwCfEs4lgpiM7qe2XOLdvEOp1vkVgeL
9wH2fMaz8/3BhuZDNsdrNy6AkQ7ICwrcwj0C+5rhBIaigkgHW06n5W3fzziC5FFW
FHGikQKBgGQ790ZCn32DZnoGUwITR++/wF5jUfghqd67YODszeUAWtnp7DHlWPfp
LCkyjnRWnXzvfHTKvCs1XtQBoaCRS048uwZITlgZYFEWntFMqi76bqBE4FTSYUTM
FinFUBBVigThM/RLfCRNrCW/kTxXuJDuSfVIJZzWNAT+9oWdz5da
-----END RSA PRIVATE KEY-----
)";

// 2049 bits: k = 257 bytes, the top byte of the modulus is 01.
constexpr const char* kRsa2049 = R"(-----BEGIN RSA PRIVATE KEY-----
MIIEpQIBAAKCAQEBVfiJVWoXdfHHp3hqULGLwoyemG7eVmfKs5uEEk6Q66dcHbCD
rD5EO7qU3CNWD3XjqBaToqQ73HQm2MTq/mjIXeD+dX9uSbue1EfmAkMIANuwTOsi
5/pXoY0zj7ZgJs20Z+cMwEDn02fvQDx78ePfYkZQCUYx8h6v0vtbyRX/BDeazRES
9zLAtGYHwXjTiiD1LtpQny+cBAXVEGnoDM+UFVTQRwRnUFw89UHqCJffyfQAzssp
j/x1M3LZ9pM68XTMQO2W1GcDFzO5f4zd0/krw6A+qFdsQX8kAHteT3UBEFtUTen6
3N/635jftLsFuBmfP4Ws/ZH3qaCUuaOD9QSQlwIDAQABAoIBAQEZwrP1CnrWFSZ5
1/9RCVisLYym8AKFkvMy1VoWc2F4qOZ/F+cFzjAOPodUclEAYBP5dNCj20nvNEyl
omo0wEUHBNDkIuDOI6aUJcFf77bybhBu7/ZMyLnXRC5NpOjIUAjq6zZYWaIpT6OT
e8Jr5WMy59geLBYO9jXMUoqnvlXmM6cj28Hha6KeUrKa7y+eVlT9wGZrsPwlSsvo
DmOHTw9fAgeC48nc/CUg0MnEp7Y05FA/u0k+Gq/us/iL16EzmHJdrm/jmed1zV1M
8J/IODR8TJjasaSIPM5iBRNhWvqhCmM2jm17ed9BZqsWJznvUVpEAu4eBgHFpVvH
HfDjDt+BAoGBAYj2k2DwHhjZot4pUlPSUsMeRHbOpf97+EE99/3jVlI83JdoBfhP
wN3sdw3wbO0GXIETSHVLNGrxaXVod/07PVaGgsh4fQsxTvasZ9ZegTM5i2Kgg8D4
dlxa1A1agfm73OJSftfpUAjLECnLTKvR+em+38KGyWVSJV2n6rGSF473AoGBAN7H
zxHa3oOkxD0vgBl/If1dRv1XtDH0T+gaHeN/agkf/ARk7ZcdyFCINa3mzF9Wbzll
YTqLNnmMkubiP1LvkH6VZ+NBvrxTNxiWJfu+qx87ez+S/7JoHm71p4SowtePfC2J
qqok0s7b0GaBz+ZcNse/o8W6E1FiIi71wukUyYNhAoGAEgk/OnPK7dkPYKME5FQC
+HGrMsjJVbCa9GOjvkNw8tVYSpq7q2n9sDHqRPmEBl0EYehAqyGIhmAONxVUbIsL
ha0m04y0MI9S0H+ZRH2R8IfzndNAONsuk46XrQU6cfvtZ3Xh3IcY5U5sr35lRn2c
ut3H52XIWJ4smN/cJcpOyoECgYEAjM5hNHnPlgj392wkXPkbtJXWHp3mSISQVLTd
G0MW8/mBQg3AlXi/eRb+RpHPrppk5jQLhgMjRSPyXXe2amb8PuWTqfGN6l32PtX3
3+udILpppb71Wf+w7JTbcl9v9uq7o9SVR8DKdPA+AeweSQ0TmqCnlHuNZizOSjwP
G16GF0ECgYEA+ZWbNMS8qM5IiHgbMbHptdit9dDT4+1UXoNn0/hUW6ZEMriHMDXv
iBwrzeANGAn5LEDYeDe1xPms9Is2uNxTpZVhpFZSNALR6Po68wDlTJG2PmzuBv5t
5mbzkpWCoD4fRU53ifsHgaTW+7Um74gWIf0erNIUZuTN2YrtEPTnb3k=
-----END RSA PRIVATE KEY-----
)";

struct KnownAnswer {
  const char* what;
  const char* ciphertext;  // hex, k bytes
  const char* message;     // hex, or text when `text`
  bool text = false;
};

// Ciphertexts the published vectors give at full length (PKCS#11 takes
// exactly k bytes; the truncated variants are CKR_ENCRYPTED_DATA_LEN_RANGE).
const KnownAnswer kRsa2048Answers[] = {
    {"valid",
     "8bfe264e85d3bdeaa6b8851b8e3b956ee3d226fd3f69063a86880173a273d9f283b2eebdd1ed35f7e02d91c571981b6737d5320bd8396b0f3"
     "ad5b019daec1b0aab3cbbc026395f4fd14f13673f2dfc81f9b660ec26ac381e6db3299b4e460b43fab9955df2b3cfaa20e900e19c856238fd"
     "371899c2bf2ce8c868b76754e5db3b036533fd603746be13c10d4e3e6022ebc905d20c2a7f32b215a4cd53b3f44ca1c327d2c2b651145821c"
     "08396c89071f665349c25e44d2733cd9305985ceef6430c3cf57af5fa224089221218fa34737c79c446d28a94c41c96e4e92ac53fbcf384de"
     "a8419ea089f8784445a492c812eb0d409467f75afd7d4d1078886205a066",
     "lorem ipsum dolor sit amet", true},
    {"synthetic, empty",
     "20aaa8adbbc593a924ba1c5c7990b5c2242ae4b99d0fe636a19a4cf754edbcee774e472fe028160ed42634f8864900cb514006da642cae6ae"
     "8c7d087caebcfa6dad1551301e130344989a1d462d4164505f6393933450c67bc6d39d8f5160907cabc251b737925a1cf21e5c6aa5781b776"
     "9f6a2a583d97cce008c0f8b6add5f0b2bd80bee60237aa39bb20719fe75749f4bc4e42466ef5a861ae3a92395c7d858d430bfe38040f445ea"
     "93fa2958b503539800ffa5ce5f8cf51fa8171a91f36cb4f4575e8de6b4d3f096ee140b938fd2f50ee13f0d050222e2a72b0a3069ff3a6738e"
     "82c87090caa5aed4fcbe882c49646aa250b98f12f83c8d528113614a29e7",
     ""},
    {"synthetic, maximum length",
     "48cceab10f39a4db32f60074feea473cbcdb7accf92e150417f76b44756b190e843e79ec12aa85083a21f5437e7bad0a60482e601198f9d86"
     "923239c8786ee728285afd0937f7dde12717f28389843d7375912b07b991f4fdb0190fced8ba665314367e8c5f9d2981d0f5128feeb46cb50"
     "fc237e64438a86df198dd0209364ae3a842d77532b66b7ef263b83b1541ed671b120dfd660462e2107a4ee7b964e734a7bd68d90dda617706"
     "58a3c242948532da32648687e0318286473f675b412d6468f013f14d760a358dfcad3cda2afeec5e268a37d250c37f722f468a70dfd92d729"
     "4c3c1ee1e7f8843b7d16f9f37ef35748c3ae93aa155cdcdfeb4e78567303",
     "22d850137b9eebe092b24f602dc5bb7918c16bd89ddbf20467b119d205f9c2e4bd7d2592cf1e532106e0f33557565923c73a02d4f09c0c22b"
     "ea89148183e60317f7028b3aa1f261f91c979393101d7e15f4067e63979b32751658ef769610fe97cf9cef3278b3117d384051c3b1d82c251"
     "c2305418c8f6840530e631aad63e70e20e025bcd8efb54c92ec6d3b106a2f8e64eeff7d38495b0fc50c97138af4b1c0a67a1c4e27b077b843"
     "9332edfa8608dfeae653cd6a628ac550395f7e74390e42c11682234870925eeaa1fa71b76cf1f2ee3bda69f6717033ff8b7c95c9799e7a3be"
     "a5e7e4a1c359772fb6b1c6e6c516661dfe30c3"},
    {"synthetic, length from the second to last candidate",
     "1439e08c3f84c1a7fec74ce07614b20e01f6fa4e8c2a6cffdc3520d8889e5d9a950c6425798f85d4be38d300ea5695f13ecd4cb389d1ff5b8"
     "2484b494d6280ab7fa78e645933981cb934cce8bfcd114cc0e6811eefa47aae20af638a1cd163d2d3366186d0a07df0c81f6c9f3171cf3561"
     "472e98a6006bf75ddb457bed036dcce199369de7d94ef2c68e8467ee0604eea2b3009479162a7891ba5c40cab17f49e1c438cb6eaea4f76ce"
     "23cce0e483ff0e96fa790ea15be67671814342d0a23f4a20262b6182e72f3a67cd289711503c85516a9ed225422f98b116f1ab080a80abd6f"
     "0216df88d8cfd67c139243be8dd78502a7aaf6bc99d7da71bcdf627e7354",
     "0f9b"},
    {"synthetic, length from the third to last candidate",
     "1690ebcceece2ce024f382e467cf8510e74514120937978576caf684d4a02ad569e8d76cbe365a060e00779de2f0865ccf0d923de3b4783a4"
     "e2c74f422e2f326086c390b658ba47f31ab013aa80f468c71256e5fa5679b24e83cd82c3d1e05e398208155de2212993cd2b8bab6987cf4cc"
     "1293f19909219439d74127545e9ed8a706961b8ee2119f6bfacafbef91b75a789ba65b8b833bc6149cf49b5c4d2c6359f62808659ba6541e1"
     "cd24bf7f7410486b5103f6c0ea29334ea6f4975b17387474fe920710ea61568d7b7c0a7916acf21665ad5a31c4eabcde44f8fb6120d8457af"
     "a1f3c85d517cda364af620113ae5a3c52a048821731922737307f77a1081",
     "4f02"},
    {"valid, 11 bytes",
     "6213634593332c485cef783ea2846e3d6e8b0e005cd8293eaebbaa5079712fd681579bdfbbda138ae4d9d952917a03c92398ec0cb2bb0c6b5"
     "a8d55061fed0d0d8d72473563152648cfe640b335dc95331c21cb133a91790fa93ae44497c128708970d2beeb77e8721b061b1c4403414373"
     "4a77be8220877415a6dba073c3871605380542a9f25252a4babe8331cdd53cf828423f3cc70b560624d0581fb126b2ed4f4ed358f0eb8065c"
     "f176399ac1a846a31055f9ae8c9c24a1ba050bc20842125bc1753158f8065f3adb9cc16bfdf83816bdf38b624f12022c5a6fbfe29bc91542b"
     "e8c0208a770bcd677dc597f5557dc2ce28a11bf3e3857f158717a33f6592",
     "lorem ipsum", true},
    {"valid, leading zero byte",
     "00a2e8f114ea8d05d12dc843e3cc3b2edc8229ff2a028bda29ba9d55e3cd02911902fef1f42a075bf05e8016e8567213d6f260fa49e360779"
     "dd81aeea3e04c2cb567e0d72b98bf754014561b7511e083d20e0bfb9cd23f8a0d3c88900c49d2fcd5843ff0765607b2026f28202a87aa9467"
     "8aed22a0c20724541394cd8f44e373eba1d2bae98f516c1e2ba3d86852d064f856b1daf24795e767a2b90396e50743e3150664afab131fe40"
     "ea405dcf572dd1079af1d3f0392ccadcca0a12740dbb213b925ca2a06b1bc1383e83a658c82ba2e7427342379084d5f66b544579f07664cb2"
     "6edd4f10fd913fdbc0de05ef887d4d1ec1ac95652397ea7fd4e4759fda8b",
     "lorem ipsum", true},
    {"valid, two leading zero bytes",
     "00001f71879b426127f7dead621f7380a7098cf7d22173aa27991b143c46d53383c209bd0c9c00d84078037e715f6b98c65005a7712007052"
     "2ede51d472c87ef94b94ead4c5428ee108a345561658301911ec5a8f7dd43ed4a3957fd29fb02a3529bf63f8040d3953490939bd8f78b2a34"
     "04b6fb5ff70a4bfdaac5c541d6bcce49c9778cc390be24cbef1d1eca7e870457241d3ff72ca44f9f56bdf31a890fa5eb3a9107b603ccc9d06"
     "a5dd911a664c82b6abd4fe036f8db8d5a070c2d86386ae18d97adc1847640c211d91ff5c3387574a26f8ef27ca7f48d2dd1f0c7f14b81cc9d"
     "33ee6853031d3ecf10a914ffd90947909c8011fd30249219348ebff76bfc",
     "lorem ipsum", true},
    {"valid, the synthetic alternative is empty",
     "b5e49308f6e9590014ffaffc5b8560755739dd501f1d4e9227a7d291408cf4b753f292322ff8bead613bf2caa181b221bc38caf6392deafb2"
     "8eb21ad60930841ed02fd6225cc9c463409adbe7d8f32440212fbe3881c51375bb09565efb22e62b071472fb38676e5b4e23a0617db5d14d9"
     "3519ac0007a30a9c822eb31c38b57fcb1be29608fcf1ca2abdcaf5d5752bbc2b5ac7dba5afcff4a5641da360dd01f7112539b1ed46cdb550a"
     "3b1006559b9fe1891030ec80f0727c42401ddd6cbb5e3c80f312df6ec89394c5a7118f573105e7ab00fe57833c126141b50a935224842addf"
     "b479f75160659ba28877b512bb9a93084ad8bec540f92640f63a11a010e0",
     "lorem ipsum", true},
    {"valid, the synthetic alternative is 245 bytes",
     "1ea0b50ca65203d0a09280d39704b24fe6e47800189db5033f202761a78bafb270c5e25abd1f7ecc6e7abc4f26d1b0cd9b8c648d529416ee6"
     "4ccbdd7aa72a771d0353262b543f0e436076f40a1095f5c7dfd10dcf0059ccb30e92dfa5e0156618215f1c3ff3aa997a9d999e506924f5289"
     "e3ac72e5e2086cc7b499d71583ed561028671155db4005bee01800a7cdbdae781dd32199b8914b5d4011dd6ff11cd26d46aad54934d293b0b"
     "c403dd211bf13b5a5c6836a5e769930f437ffd8634fb7371776f4bc88fa6c271d8aa6013df89ae6470154497c4ac861be2a1c65ebffec139b"
     "f7aaba3a81c7c5cdd84da9af5d3edfb957848074686b5837ecbcb6a41c50",
     "lorem ipsum", true},
    {"random invalid",
     "5f02f4b1f46935c742ebe62b6f05aa0a3286aab91a49b34780adde6410ab46f7386e05748331864ac98e1da63686e4babe3a19ed40a7f5cee"
     "fb89179596aab07ab1015e03b8f825084dab028b6731288f2e511a4b314b6ea3997d2e8fe2825cef8897cbbdfb6c939d441d6e04948414bb6"
     "9e682927ef8576c9a7090d4aad0e74c520d6d5ce63a154720f00b76de8cc550b1aa14f016d63a7b6d6eaa1f7dbe9e50200d3159b3d099c900"
     "116bf4eba3b94204f18b1317b07529751abf64a26b0a0bf1c8ce757333b3d673211b67cc0653f2fe2620d57c8b6ee574a0323a167eab1106d"
     "9bc7fd90d415be5f1e9891a0e6c709f4fc0404e8226f8477b4e939b36eb2",
     "af9ac70191c92413cb9f2d"},
    {"first byte 01",
     "9b2ec9c0c917c98f1ad3d0119aec6be51ae3106e9af1914d48600ab6a2c0c0c8ae02a2dc3039906ff3aac904af32ec798fd65f3ad1afa2e69"
     "400e7c1de81f5728f3b3291f38263bc7a90a0563e43ce7a0d4ee9c0d8a716621ca5d3d081188769ce1b131af7d35b13dea99153579c86db31"
     "fe07d5a2c14d621b77854e48a8df41b5798563af489a291e417b6a334c63222627376118c02c53b6e86310f728734ffc86ef9d7c8bf56c0c8"
     "41b24b82b59f51aee4526ba1c4268506d301e4ebc498c6aebb6fd5258c876bf900bac8ca4d309dd522f6a6343599a8bc3760f422c10c72d0a"
     "d527ce4af1874124ace3d99bb74db8d69d2528db22c3a37644640f95c05f",
     "a1f8c9255c35cfba403ccc"},
    {"block type 01",
     "782c2b59a21a511243820acedd567c136f6d3090c115232a82a5efb0b178285f55b5ec2d2bac96bf00d6592ea7cdc3341610c8fb07e527e5e"
     "2d20cfaf2c7f23e375431f45e998929a02f25fd95354c33838090bca838502259e92d86d568bc2cdb132fab2a399593ca60a015dc2bb1afcd"
     "64fef8a3834e17e5358d822980dc446e845b3ab4702b1ee41fe5db716d92348d5091c15d35a110555a35deb4650a5a1d2c98025d42d4544f8"
     "b32aa6a5e02dc02deaed9a7313b73b49b0d4772a3768b0ea0db5846ace6569cae677bf67fb0acf3c255dc01ec8400c963b6e49b1067728b4e"
     "563d7e1e1515664347b92ee64db7efb5452357a02fff7fcb7437abc2e579",
     "e6d700309ca0ed62452254"},
    {"invalid, leading zero byte",
     "0096136621faf36d5290b16bd26295de27f895d1faa51c800dafce73d001d60796cd4e2ac3fa2162131d859cd9da5a0c8a42281d9a63e5f35"
     "3971b72e36b5722e4ac444d77f892a5443deb3dca49fa732fe855727196e23c26eeac55eeced8267a209ebc0f92f4656d64a6c13f7f7ce544"
     "ebeb0f668fe3a6c0f189e4bcd5ea12b73cf63e0c8350ee130dd62f01e5c97a1e13f52fde96a9a1bc9936ce734fdd61f27b18216f1d6de87f4"
     "9cf4f2ea821fb8efd1f92cdad529baf7e31aff9bff4074f2cad2b4243dd15a711adcf7de900851fbd6bcb53dac399d7c880531d06f25f7002"
     "e1aaf1722765865d2c2b902c7736acd27bc6cbd3e38b560e2eecf7d4b576",
     "ba27b1842e7c21c0e7ef6a"},
    {"invalid, two leading zero bytes",
     "0000587cccc6b264bdfe0dc2149a988047fa921801f3502ea64624c510c6033d2f427e3f136c26e88ea9f6519e86a542cec96aad1e5e9013c"
     "3cc203b6de15a69183050813af5c9ad79703136d4b92f50ce171eefc6aa7988ecf02f319ffc5eafd6ee7a137f8fce64b255bb1b8dd19cfe76"
     "7d64fdb468b9b2e9e7a0c24dae03239c8c714d3f40b7ee9c4e59ac15b17e4d328f1100756bce17133e8e7493b54e5006c3cbcdacd134130c5"
     "132a1edebdbd01a0c41452d16ed7a0788003c34730d0808e7e14c797a21f2b45a8aa1644357fd5e988f99b017d9df37563a354c788dc0e2f9"
     "466045622fa3f3e17db63414d27761f57392623a2bef6467501c63e8d645",
     "d5cf555b1d6151029a429a"},
    {"plaintext starts 000002",
     "1786550ce8d8433052e01ecba8b76d3019f1355b212ac9d0f5191b023325a7e7714b7802f8e9a17c4cb3cd3a84041891471b10ca1fcfb5d04"
     "1d34c82e6d0011cf4dc76b90e9c2e0743590579d55bcd7857057152c4a8040361343d1d22ba677d62b011407c652e234b1d663af25e238625"
     "1d7409190f19fc8ec3f9374fdf1254633874ce2ec2bff40ad0cb473f9761ec7b68da45a4bd5e33f5d7dac9b9a20821df9406b653f78a95a6c"
     "0ea0a4d57f867e4db22c17bf9a12c150f809a7b72b6db86c22a8732241ebf3c6a4f2cf82671d917aba8bc61052b40ccddd743a94ea9b53817"
     "5106201971cca9d136d25081739aaf6cd18b2aecf9ad320ea3f89502f955",
     "3d4a054d9358209e9cbbb9"},
    {"zero in the first padding byte",
     "179598823812d2c58a7eb50521150a48bcca8b4eb53414018b6bca19f4801456c5e36a940037ac516b0d6412ba44ec6b4f268a55ef1c5ffbf"
     "18a2f4e3522bb7b6ed89774b79bffa22f7d3102165565642de0d43a955e96a1f2e80e5430671d7266eb4f905dc8ff5e106dc5588e5b0289e4"
     "9a4913940e392a97062616d2bda38155471b7d360cfb94681c702f60ed2d4de614ea72bf1c53160e63179f6c5b897b59492bee219108309f0"
     "b7b8cb2b136c346a5e98b8b4b8415fb1d713bae067911e3057f1c335b4b7e39101eafd5d28f0189037e4334f4fdb9038427b1d119a6702aa8"
     "233319cc97d496cc289ae8c956ddc84042659a2d43d6aa22f12b81ab884e",
     "1f037dd717b07d3e7f7359"},
    {"zero in the eighth padding byte",
     "a7a340675a82c30e22219a55bc07cdf36d47d01834c1834f917f18b517419ce9de2a96460e745024436470ed85e94297b283537d52189c406"
     "a3f533cb405cc6a9dba46b482ce98b6e3dd52d8fce2237425617e38c11fbc46b61897ef200d01e4f25f5f6c4c5b38cd0de38ba11908b86595"
     "a8036a08a42a3d05b79600a97ac18ba368a08d6cf6ccb624f6e8002afc75599fba4de3d4f3ba7d208391ebe8d21f8282b18e2c10869eb2702"
     "e68f9176b42b0ddc9d763f0c86ba0ff92c957aaeab76d9ab8da52ea297ec11d92d770146faa1b300e0f91ef969b53e7d2907ffc984e9a9c9d"
     "11fb7d6cba91972059b46506b035efec6575c46d7114a6b935864858445f",
     "63cb0bf65fc8255dd29e17"},
    {"no separator",
     "3d1b97e7aa34eaf1f4fc171ceb11dcfffd9a46a5b6961205b10b302818c1fcc9f4ec78bf18ea0cee7e9fa5b16fb4c611463b368b3312ac11c"
     "f9c06b7cf72b54e284848a508d3f02328c62c2999d0fb60929f81783c7a256891bc2ff4d91df2af96a24fc5701a1823af939ce6dbdc510608"
     "e3d41eec172ad2d51b9fc61b4217c923cadcf5bac321355ef8be5e5f090cdc2bd0c697d9058247db3ad613fdce87d2955a6d1c948a5160f93"
     "da21f731d74137f5d1f53a1923adb513d2e6e1589d44cc079f4c6ddd471d38ac82d20d8b1d21f8d65f3b6907086809f4123e08d86fb387295"
     "85de026a485d8f0e703fd4772f6668febf67df947b82195fa3867e3a3065",
     "6f09a0b62699337c497b0b"},
};

const KnownAnswer kRsa2049Answers[] = {
    {"synthetic, length from the third to last candidate",
     "00b26f6404b82649629f2704494282443776929122e279a9cf30b0c6fe8122a0a9042870d97cc8ef65490fe58f031eb2442352191f5fbc311"
     "026b5147d32df914599f38b825ebb824af0d63f2d541a245c5775d1c4b78630e4996cc5fe413d38455a776cf4edcc0aa7fccb31c584d60502"
     "ed2b77398f536e137ff7ba6430e9258e21c2db5b82f5380f566876110ac4c759178900fbad7ab70ea07b1daf7a1639cbb4196543a6cbe8271"
     "f35dddb8120304f6eef83059e1c5c5678710f904a6d760c4d1d8ad076be17904b9e69910040b47914a0176fb7eea0c06444a6c4b86d674d19"
     "a556a1de5490373cb01ce31bbd15a5633362d3d2cd7d4af1b4c5121288b894",
     "42"},
    {"valid",
     "013300edbf0bb3571e59889f7ed76970bf6d57e1c89bbb6d1c3991d9df8e65ed54b556d928da7d768facb395bbcc81e9f8573b45cf8195dbd"
     "85d83a59281cddf4163aec11b53b4140053e3bd109f787a7c3cec31d535af1f50e0598d85d96d91ea01913d07097d25af99c67464ebf2bb39"
     "6fb28a9233e56f31f7e105d71a23e9ef3b736d1e80e713d1691713df97334779552fc94b40dd733c7251bc522b673d3ec9354af3dd4ad44fa"
     "71c0662213a57ada1d75149697d0eb55c053aaed5ffd0b815832f454179519d3736fb4faf808416071db0d0f801aca8548311ee708c131f4b"
     "e658b15f6b54256872c2903ac708bd43b017b073b5707bc84c2cd9da70e967",
     "lorem ipsum", true},
    {"random invalid",
     "00f910200830fc8fff478e99e145f1474b312e2512d0f90b8cef77f8001d09861688c156d1cbaf8a8957f7ebf35f724466952d0524cad48aa"
     "d4fba1e45ce8ea27e8f3ba44131b7831b62d60c0762661f4c1d1a88cd06263a259abf1ba9e6b0b172069afb86a7e88387726f8ab3adb30bfd"
     "6b3f6be6d85d5dfd044e7ef052395474a9cbb1c3667a92780b43a22693015af6c513041bdaf87d43b24ddd244e791eeaea1066e1f4917117b"
     "3a468e22e0f7358852bb981248de4d720add2d15dccba6280355935b67c96f9dcb6c419cc38ab9f6fba2d649ef2066e0c34c9f788ae49babd"
     "9025fa85b21113e56ce4f43aa134c512b030dd7ac7ce82e76f0be9ce09ebca",
     "1189b6f5498fd6df532b00"},
    {"first byte 01",
     "002c9ddc36ba4cf0038692b2d3a1c61a4bb3786a97ce2e46a3ba74d03158aeef456ce0f4db04dda3fe062268a1711250a18c69778a6280d88"
     "e133a16254e1f0e30ce8dac9b57d2e39a2f7d7be3ee4e08aec2fdbe8dadad7fdbf442a29a8fb40857407bf6be35596b8eefb5c2b3f58b8944"
     "52c2dc54a6123a1a38d642e23751746597e08d71ac92704adc17803b19e131b4d1927881f43b0200e6f95658f559f912c889b4cd518627843"
     "64896cd6e8618f485a992f82997ad6a0917e32ae5872eaf850092b2d6c782ad35f487b79682333c1750c685d7d32ab3e1538f31dcaa5e7d5d"
     "2825875242c83947308dcf63ba4bfff20334c9c140c837dbdbae7a8dee72ff",
     "f6d0f5b78082fe61c04674"},
    {"block type 01",
     "00c5d77826c1ab7a34d6390f9d342d5dbe848942e2618287952ba0350d7de6726112e9cebc391a0fae1839e2bf168229e3e0d71d416180150"
     "9f1f28f6e1487ca52df05c466b6b0a6fbbe57a3268a970610ec0beac39ec0fa67babce1ef2a86bf77466dc127d7d0d2962c20e66593126f27"
     "6863cd38dc6351428f884c1384f67cad0a0ffdbc2af16711fb68dc559b96b37b4f04cd133ffc7d79c43c42ca4948fa895b9daeb853150c8a5"
     "169849b730cc77d68b0217d6c0e3dbf38d751a1998186633418367e7576530566c23d6d4e0da9b038d0bb5169ce40133ea076472d055001f0"
     "135645940fd08ea44269af2604c8b1ba225053d6db9ab43577689401bdc0f3",
     "1ab287fcef3ff17067914d"},
};

Bytes from_hex(std::string_view hex) {
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  return out;
}

Bytes plain(const SecureBytes& s) { return Bytes(s.begin(), s.end()); }

// A key read from PEM into the module's library context, decoded as a
// PKCS#11 private key object would be.
struct PemKey {
  PkeyPtr ossl;
  std::shared_ptr<const Key> priv;
};

PemKey load_pem(const char* pem) {
  PemKey k;
  BIO* bio = BIO_new_mem_buf(pem, -1);
  k.ossl.reset(PEM_read_bio_PrivateKey_ex(bio, nullptr, nullptr, nullptr, libctx(), nullptr));
  BIO_free(bio);
  if (!k.ossl) throw std::runtime_error("PEM key");
  k.priv = decode_key(CKO_PRIVATE_KEY, rsa_attributes(k.ossl.get(), true));
  return k;
}

Bytes decrypt(const Key& key, ByteView ciphertext) {
  return plain(our_cipher(mech(CKM_RSA_PKCS), key, false, ciphertext));
}

// The RSA primitive on a k-byte block, as an attacker with the public key
// makes ciphertexts of chosen plaintext blocks.
Bytes raw_encrypt(EVP_PKEY* pkey, ByteView block) {
  auto ctx =
      ossl_ctx(pkey, EVP_PKEY_encrypt_init, [](EVP_PKEY_CTX* c) { EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING); });
  Bytes out(EVP_PKEY_get_size(pkey));
  std::size_t len = out.size();
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, block.data(), block.size()) != 1 || len != out.size())
    throw std::runtime_error("raw encrypt");
  return out;
}

Bytes pkcs1_encrypt(EVP_PKEY* pkey, ByteView message) {
  auto ctx = ossl_ctx(pkey, EVP_PKEY_encrypt_init,
                      [](EVP_PKEY_CTX* c) { EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING); });
  Bytes out(EVP_PKEY_get_size(pkey));
  std::size_t len = out.size();
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, message.data(), message.size()) != 1)
    throw std::runtime_error("PKCS#1 encrypt");
  return out;
}

// 00 || bt || PS (ps_len non-zero bytes) || 00 || M, where M fills the rest.
Bytes block(std::size_t k, std::uint8_t first, std::uint8_t bt, std::size_t ps_len, bool separator = true) {
  Bytes b(k);
  b[0] = first;
  b[1] = bt;
  for (std::size_t i = 0; i < ps_len && 2 + i < k; ++i) b[2 + i] = static_cast<std::uint8_t>(0x11 + i % 200);
  std::size_t pos = 2 + ps_len;
  if (pos < k && separator) b[pos++] = 0x00;
  for (std::uint8_t v = 0x41; pos < k; ++pos, ++v) b[pos] = static_cast<std::uint8_t>(v | 0x01);
  return b;
}

struct Malformed {
  const char* what;
  Bytes block;
};

std::vector<Malformed> malformed_blocks(std::size_t k) {
  Bytes no_separator(k, 0x5a);
  no_separator[0] = 0x00;
  no_separator[1] = 0x02;
  return {
      {"block type 01", block(k, 0x00, 0x01, 8 + 16)},        {"no zero separator", no_separator},
      {"padding string of 5 bytes", block(k, 0x00, 0x02, 5)}, {"padding string of 7 bytes", block(k, 0x00, 0x02, 7)},
      {"first byte not 0", block(k, 0x01, 0x02, 8 + 16)},     {"block type 00", block(k, 0x00, 0x00, 8 + 16)},
  };
}

void check_known_answers(const char* pem, const KnownAnswer* answers, std::size_t n) {
  PemKey key = load_pem(pem);
  for (std::size_t i = 0; i < n; ++i) {
    const KnownAnswer& a = answers[i];
    SCOPED_TRACE(a.what);
    const Bytes ciphertext = from_hex(a.ciphertext);
    ASSERT_EQ(ciphertext.size(), static_cast<std::size_t>(EVP_PKEY_get_size(key.ossl.get())));
    const Bytes expected = a.text ? bytes_of(a.message) : from_hex(a.message);
    Bytes got;
    ASSERT_EQ(rv_of([&] { got = decrypt(*key.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK));
    EXPECT_EQ(got, expected);
  }
}

TEST(RsaImplicitRejection, PublishedAnswers2048) {
  check_known_answers(kRsa2048_2, kRsa2048Answers, std::size(kRsa2048Answers));
}

// k*8 is not the modulus length in bits here: catches a PRF that takes the
// bit length of n instead of 8k, and a length mask from the wrong size.
TEST(RsaImplicitRejection, PublishedAnswers2049) {
  check_known_answers(kRsa2049, kRsa2049Answers, std::size(kRsa2049Answers));
}

TEST(RsaImplicitRejection, MalformedPaddingSucceedsWithRepeatableOutput) {
  PemKey key = load_pem(kRsa2048_2);
  const TestKey& other = rsa_key(2048);
  const std::size_t k = 256;
  for (const Malformed& m : malformed_blocks(k)) {
    SCOPED_TRACE(m.what);
    const Bytes ciphertext = raw_encrypt(key.ossl.get(), m.block);
    Bytes first, second;
    ASSERT_EQ(rv_of([&] { first = decrypt(*key.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK));
    ASSERT_EQ(rv_of([&] { second = decrypt(*key.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK));
    EXPECT_EQ(first, second);
    EXPECT_LE(first.size(), k - 11);
    // Nothing of the block's tail (what a lax parser would return) comes out.
    // (Two empty messages are equal whatever made them: 1 in 246 each.)
    if (!first.empty()) {
      EXPECT_NE(first, Bytes(m.block.end() - static_cast<std::ptrdiff_t>(first.size()), m.block.end()));
    }
    // Another key turns the same bytes into another message (when they are a
    // ciphertext for it at all: below its modulus).
    Bytes theirs;
    if (rv_of([&] { theirs = decrypt(*other.priv, ciphertext); }) == CKR_OK && !first.empty()) {
      EXPECT_NE(theirs, first);
    }
  }
}

TEST(RsaImplicitRejection, RandomCiphertextsSucceedRepeatablyAndDependOnTheKey) {
  PemKey key = load_pem(kRsa2048_2);
  const TestKey& other = rsa_key(2048);
  const std::size_t k = 256;
  std::set<std::size_t> lengths;
  std::size_t same_under_other_key = 0;
  for (int i = 0; i < 1000; ++i) {
    Bytes ciphertext(k);
    random_bytes(ciphertext.data(), k);
    ciphertext[0] = 0;  // below both moduli
    Bytes first, second, theirs;
    ASSERT_EQ(rv_of([&] { first = decrypt(*key.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK)) << i;
    ASSERT_EQ(rv_of([&] { second = decrypt(*key.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK)) << i;
    ASSERT_EQ(first, second) << i;
    ASSERT_LE(first.size(), k - 11);
    ASSERT_EQ(rv_of([&] { theirs = decrypt(*other.priv, ciphertext); }), static_cast<CK_RV>(CKR_OK)) << i;
    if (theirs == first && !first.empty()) ++same_under_other_key;  // two empty ones are equal
    lengths.insert(first.size());
  }
  EXPECT_EQ(same_under_other_key, 0u);
  // Synthetic lengths spread over 0..245 rather than sitting on one value
  // that would mark them.
  EXPECT_GT(lengths.size(), 150u);
}

TEST(RsaImplicitRejection, ValidCiphertextsDecryptAsBefore) {
  PemKey key = load_pem(kRsa2048_2);
  const TestKey& generated = rsa_key(2048);
  for (std::size_t len : {0u, 1u, 11u, 100u, 245u}) {
    SCOPED_TRACE(len);
    const Bytes message = pattern(len, 3);
    EXPECT_EQ(decrypt(*key.priv, pkcs1_encrypt(key.ossl.get(), message)), message);
    EXPECT_EQ(decrypt(*generated.priv, pkcs1_encrypt(generated.ossl.get(), message)), message);
    // Our own encryption too, and a hand-made block with the shortest padding allowed (8 bytes).
    EXPECT_EQ(decrypt(*generated.priv, plain(our_cipher(mech(CKM_RSA_PKCS), *generated.pub, true, message))), message);
  }
  Bytes shortest = block(256, 0x00, 0x02, 8);
  const Bytes tail(shortest.begin() + 11, shortest.end());
  EXPECT_EQ(decrypt(*key.priv, raw_encrypt(key.ossl.get(), shortest)), tail);
}

TEST(RsaImplicitRejection, PublicErrorsStay) {
  PemKey key = load_pem(kRsa2048_2);
  // Not k bytes, or not below the modulus: visible without the private key.
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, decrypt(*key.priv, Bytes(255, 0x01)));
  EXPECT_RV(CKR_ENCRYPTED_DATA_LEN_RANGE, decrypt(*key.priv, Bytes(257, 0x01)));
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, decrypt(*key.priv, Bytes(256, 0xff)));
  // The length query does not depend on the ciphertext.
  auto ctx = row(CKM_RSA_PKCS).cipher(mech(CKM_RSA_PKCS), *key.priv, false);
  EXPECT_EQ(ctx->max_output_size(256), 245u);
}

TEST(RsaImplicitRejection, OaepAndRawAreUnchanged) {
  const TestKey& k = rsa_key(2048);
  CK_RSA_PKCS_OAEP_PARAMS p{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
  CK_MECHANISM oaep = mech(CKM_RSA_PKCS_OAEP, p);
  SecureBytes ct = our_cipher(oaep, *k.pub, true, bytes_of("oaep"));
  EXPECT_EQ(plain(our_cipher(oaep, *k.priv, false, view(ct))), bytes_of("oaep"));
  Bytes label = bytes_of("other");
  CK_RSA_PKCS_OAEP_PARAMS q{CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, label.data(), label.size()};
  CK_MECHANISM wrong = mech(CKM_RSA_PKCS_OAEP, q);
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID, our_cipher(wrong, *k.priv, false, view(ct)));
  // A PKCS#1 v1.5 ciphertext is no OAEP one: OAEP still rejects explicitly.
  EXPECT_RV(CKR_ENCRYPTED_DATA_INVALID,
            our_cipher(oaep, *k.priv, false, pkcs1_encrypt(k.ossl.get(), bytes_of("v1.5"))));
  // Raw decryption returns the whole block, bad padding or not.
  Bytes b = block(256, 0x00, 0x01, 20);
  EXPECT_EQ(plain(our_cipher(mech(CKM_RSA_X_509), *k.priv, false, raw_encrypt(k.ossl.get(), b))), b);
}

}  // namespace
}  // namespace ecert::crypto::test
