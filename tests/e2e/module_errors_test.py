"""`--module` naming something that is not a usable PKCS#11 module: the
message names the file and says why, by default (not only with --verbose),
in English and in Traditional Chinese, with exit status 9."""

import glob
import os
import shutil
import subprocess
import unittest

from e2e_support import SandboxTestCase, has_cjk
import e2e_support as e2e

ZH = {"LANG": "zh_HK.UTF-8", "LANGUAGE": None}

# A module whose C_Initialize fails with CKR_DEVICE_ERROR (0x30): a
# CK_FUNCTION_LIST is a CK_VERSION followed by the function pointers, the
# first of which is C_Initialize; the rest are never reached.
FAILING_MODULE = r"""
typedef unsigned long CK_RV;
static CK_RV initialize(void *args) { (void)args; return 0x30; }
static struct { unsigned char version[2]; void *functions[68]; } list = {{2, 40}, {(void *)initialize}};
CK_RV C_GetFunctionList(void **out) { *out = &list; return 0; }
"""


def system_library():
    """A shared library that is surely not a PKCS#11 module."""
    for pattern in ("/usr/lib/*/libz.so.1", "/lib/*/libz.so.1", "/usr/lib/*/libc.so.6", "/lib/*/libc.so.6"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise unittest.SkipTest("no libz.so.1 or libc.so.6 found")


class ModuleLoadErrorTest(SandboxTestCase):

    def check(self, module, english, chinese):
        """Both languages: exit 9, the file named, the reason given."""
        r = self.box.run("--module", module, "list")
        self.assertExit(r, e2e.NO_MODULE, f"ecert-token: The PKCS#11 module {module} could not be loaded: {english}")
        r = self.box.run("--module", module, "list", env=ZH)
        self.assertExit(r, e2e.NO_MODULE, f"{module}", chinese)
        self.assertTrue(has_cjk(r.err), str(r))
        self.assertNotIn("could not be loaded", r.err)
        r = self.box.run("--json", "--module", module, "info")
        self.assertExit(r, e2e.NO_MODULE)
        error = r.json()["error"]
        self.assertIn(module, error["message"])
        self.assertIn(english, error["message"])

    def test_missing_file(self):
        self.check(self.box.path("no-such-module.so"), "the file does not exist.", "檔案不存在")

    def test_directory(self):
        self.check(self.box.root, "it is a directory, not a file.", "資料夾")

    def test_text_file(self):
        text = self.box.path("module.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write("This is a text file, not a library.\n" * 4)
        self.check(text, "it is not a library that this computer can load (", "程式庫")
        # dlerror's own words are there too.
        r = self.box.run("--module", text, "list")
        self.assertIn("invalid ELF header", r.err)

    def test_library_that_is_no_pkcs11_module(self):
        self.check(system_library(), "it is not a PKCS#11 module (it has neither C_GetInterface nor C_GetFunctionList).",
                   "C_GetFunctionList")

    def test_initialize_fails(self):
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is None:
            self.skipTest("no C compiler to build the failing module")
        source, module = self.box.path("failing.c"), self.box.path("failing-module.so")
        with open(source, "w", encoding="utf-8") as f:
            f.write(FAILING_MODULE)
        subprocess.run([cc, "-shared", "-fPIC", "-o", module, source], check=True, timeout=e2e.TIMEOUT)
        self.check(module, "C_Initialize failed: The token's data could not be read or is damaged.", "C_Initialize")
        r = self.box.run("--verbose", "--module", module, "list")
        self.assertIn("CKR_DEVICE_ERROR", r.err)


if __name__ == "__main__":
    unittest.main()
