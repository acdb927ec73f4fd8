/*
 * plat_win32_reg: the registry (plat_reg_*) for Windows, and telling
 * Explorer the environment changed. See plat_win32_internal.h for the
 * split.
 */
#include "common/plat.h"
#include "common/plat_win32_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/xalloc.h"
#include "common/banned.h"

/* Registry. */
static HKEY hive_root(enum plat_hive hive, REGSAM *view)
{
    switch (hive) {
    case PLAT_HKLM:
        *view = KEY_WOW64_64KEY;
        return HKEY_LOCAL_MACHINE;
    case PLAT_HKLM32:
        *view = KEY_WOW64_32KEY;
        return HKEY_LOCAL_MACHINE;
    case PLAT_HKCU:
    default:
        *view = 0;
        return HKEY_CURRENT_USER;
    }
}

/* Open key in hive with access; 0 or -1 with errno (ENOENT if missing). */
static int reg_open(enum plat_hive hive, const char *key, REGSAM access,
                    HKEY *out)
{
    REGSAM view;
    HKEY root = hive_root(hive, &view);
    wchar_t *wkey = win_to_wide(key);
    LSTATUS rc;

    if (!wkey)
        return -1;
    rc = RegOpenKeyExW(root, wkey, 0, access | view, out);
    free(wkey);
    return rc == ERROR_SUCCESS ? 0 : win_fail_with(rc);
}

/* name as UTF-16, NULL for the default value ("" or NULL). -1 EILSEQ. */
static int value_name(const char *name, wchar_t **out)
{
    *out = NULL;
    if (!name || !*name)
        return 0;
    *out = win_to_wide(name);
    return *out ? 0 : -1;
}

int plat_reg_get(enum plat_hive hive, const char *key, const char *name,
                 struct sb *out, int *expand)
{
    HKEY k;
    wchar_t *wname, *buf = NULL;
    DWORD size = 256, type = 0;
    LSTATUS rc;
    int ret = -1;

    sb_reset(out);
    if (value_name(name, &wname) < 0)
        return -1;
    if (reg_open(hive, key, KEY_QUERY_VALUE, &k) < 0) {
        free(wname);
        return -1;
    }
    for (;;) {
        buf = xrealloc(buf, size + sizeof(*buf));
        rc = RegGetValueW(k, NULL, wname,
                          RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ | RRF_NOEXPAND,
                          &type, buf, &size);
        if (rc != ERROR_MORE_DATA)
            break;
    }
    if (rc != ERROR_SUCCESS) {
        win_fail_with(rc);
        goto out;
    }
    buf[size / sizeof(*buf)] = L'\0'; /* RegGetValueW terminates; be sure */
    if (win_add_utf8(out, buf, -1) < 0)
        goto out;
    if (expand)
        *expand = type == REG_EXPAND_SZ;
    ret = 0;
out:
    RegCloseKey(k);
    free(buf);
    free(wname);
    return ret;
}

int plat_reg_set(enum plat_hive hive, const char *key, const char *name,
                 const char *value, int expand)
{
    REGSAM view;
    HKEY root = hive_root(hive, &view), k;
    wchar_t *wkey = win_to_wide(key), *wname = NULL,
            *wvalue = win_to_wide(value);
    LSTATUS rc;
    int ret = -1;

    if (!wkey || !wvalue || value_name(name, &wname) < 0)
        goto out;
    rc = RegCreateKeyExW(root, wkey, 0, NULL, 0, KEY_SET_VALUE | view, NULL, &k,
                         NULL);
    if (rc != ERROR_SUCCESS) {
        win_fail_with(rc);
        goto out;
    }
    rc = RegSetValueExW(k, wname, 0, expand ? REG_EXPAND_SZ : REG_SZ,
                        (const BYTE *)wvalue,
                        (DWORD)((wcslen(wvalue) + 1) * sizeof(*wvalue)));
    RegCloseKey(k);
    ret = rc == ERROR_SUCCESS ? 0 : win_fail_with(rc);
out:
    free(wkey);
    free(wname);
    free(wvalue);
    return ret;
}

int plat_reg_delete(enum plat_hive hive, const char *key, const char *name)
{
    HKEY k;
    wchar_t *wname;
    LSTATUS rc;

    if (value_name(name, &wname) < 0)
        return -1;
    if (reg_open(hive, key, KEY_SET_VALUE, &k) < 0) {
        free(wname);
        return -1;
    }
    rc = RegDeleteValueW(k, wname);
    RegCloseKey(k);
    free(wname);
    return rc == ERROR_SUCCESS ? 0 : win_fail_with(rc);
}

int plat_reg_subkeys(enum plat_hive hive, const char *key, struct sv *names)
{
    HKEY k;
    wchar_t buf[256]; /* a key name has at most 255 characters */
    struct sb name = SB_INIT;
    DWORD i, n;
    LSTATUS rc;

    if (reg_open(hive, key, KEY_ENUMERATE_SUB_KEYS, &k) < 0)
        return -1;
    for (i = 0;; i++) {
        n = sizeof(buf) / sizeof(*buf);
        rc = RegEnumKeyExW(k, i, buf, &n, NULL, NULL, NULL, NULL);
        if (rc != ERROR_SUCCESS)
            break;
        sb_reset(&name);
        if (win_add_utf8(&name, buf, (int)n) == 0)
            sv_push(names, name.buf);
    }
    RegCloseKey(k);
    sb_release(&name);
    return rc == ERROR_NO_MORE_ITEMS ? 0 : win_fail_with(rc);
}

void plat_env_changed(void)
{
    /* Explorer rereads HKCU\Environment for the programs it starts next;
     * a hung window does not hold the shim for more than 5 s. */
    SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0,
                        (LPARAM)L"Environment", SMTO_ABORTIFHUNG, 5000, NULL);
}
