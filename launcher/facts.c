#include "launcher/facts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcode.h"
#include "common/fs.h"
#include "common/path.h"
#include "common/plat.h"
#include "common/sb.h"
#include "common/sv.h"
#include "common/xalloc.h"
#include "common/jsonkv.h"
#include "common/linerec.h"
#include "common/banned.h"

/* Runs on every Python from 2.7 on, so it sticks to their common subset.
 * libpython is the one this interpreter has actually loaded (Linux:
 * /proc/self/maps): Debian ships a libpython3.X.so beside a python3.X that
 * links it statically, and loading that copy would be a different, slower
 * interpreter. Windows: the python3XY.dll the interpreter runs from
 * (sys.dllhandle). Without /proc (macOS, the BSDs): the file dladdr names
 * for Py_GetVersion, i.e. the image the running interpreter's C API lives
 * in (a framework build's Python.framework/Versions/3.X/Python, a
 * libpython), or none when that is the program itself (a static build).
 * Only where ctypes is missing does the build's own Py_ENABLE_SHARED
 * decide. It imports neither sysconfig nor json (together most of its
 * run time, issue 14): the stdlib dir is os.py's, and the JSON is
 * written by hand (q() escapes every non-ASCII character as json does). */
static const char probe[] =
    "import sys, os\n"
    "def c(name):\n"
    "    import sysconfig\n"
    "    return sysconfig.get_config_var(name)\n"
    "def q(s):\n"
    "    r = []\n"
    "    for ch in s:\n"
    "        o = ord(ch)\n"
    "        if 32 <= o < 127 and ch not in '\"\\\\':\n"
    "            r.append(ch)\n"
    "        elif o > 0xffff:\n"
    "            o -= 0x10000\n"
    "            r.append('\\\\u%04x\\\\u%04x' % (0xd800 + (o >> 10),\n"
    "                                         0xdc00 + (o & 0x3ff)))\n"
    "        else:\n"
    "            r.append('\\\\u%04x' % o)\n"
    "    return '\"' + ''.join(r) + '\"'\n"
    "lib = ''\n"
    "try:\n"
    "    maps = open('/proc/self/maps').read().split('\\n')\n"
    "except (IOError, OSError):\n"
    "    maps = None\n"
    "if maps is not None:\n"
    "    for l in maps:\n"
    "        p = l.split(None, 5)[-1] if len(l.split(None, 5)) == 6 else ''\n"
    "        if os.path.basename(p).startswith('libpython'):\n"
    "            lib = os.path.realpath(p)\n"
    "            break\n"
    "elif getattr(sys, 'dllhandle', None):\n"
    "    try:\n"
    "        import _winapi\n"
    "        lib = _winapi.GetModuleFileName(sys.dllhandle)\n"
    "    except (ImportError, AttributeError, OSError):\n"
    "        lib = ''\n"
    "else:\n"
    "    lib = None\n"
    "    try:\n"
    "        import ctypes\n"
    "        class DlInfo(ctypes.Structure):\n"
    "            _fields_ = [('fname', ctypes.c_char_p),\n"
    "                        ('fbase', ctypes.c_void_p),\n"
    "                        ('sname', ctypes.c_char_p),\n"
    "                        ('saddr', ctypes.c_void_p)]\n"
    "        info = DlInfo()\n"
    "        addr = ctypes.cast(ctypes.pythonapi.Py_GetVersion,\n"
    "                           ctypes.c_void_p)\n"
    "        lib = ''\n"
    "        if ctypes.CDLL(None).dladdr(addr, ctypes.byref(info)) and \\\n"
    "                info.fname:\n"
    "            p = os.path.realpath(info.fname.decode(\n"
    "                sys.getfilesystemencoding()))\n"
    "            b = os.path.basename(p)\n"
    "            if b.startswith('libpython') or (b == 'Python' and\n"
    "                    '.framework/' in p and '/Contents/MacOS/' not in p):\n"
    "                lib = p\n"
    "    except Exception:\n"
    "        lib = None\n"
    "if lib is None and c('Py_ENABLE_SHARED') and c('LDLIBRARY'):\n"
    "    for d in (c('LIBDIR'), os.path.join(sys.prefix, 'lib')):\n"
    "        if d and os.path.isfile(os.path.join(d, c('LDLIBRARY'))):\n"
    "            lib = os.path.realpath(os.path.join(d, c('LDLIBRARY')))\n"
    "            break\n"
    "lib = lib or ''\n"
    "std = os.path.dirname(getattr(os, '__file__', '') or '')\n"
    "if not std:\n"
    "    import sysconfig\n"
    "    std = sysconfig.get_path('stdlib') or ''\n"
    "impl = getattr(sys, 'implementation', None)\n"
    "em = os.path.isfile(os.path.join(std, 'EXTERNALLY-MANAGED'))\n"
    "print('{\"version\": %s, \"impl\": %s, \"abiflags\": %s, \"libpython\": %s, '\n"
    "      '\"prefix\": %s, \"ext_managed\": %s}' % (\n"
    "      q('%d.%d.%d' % tuple(sys.version_info[:3])),\n"
    "      q(impl.name if impl else 'cpython'), q(getattr(sys, 'abiflags', '')),\n"
    "      q(lib), q(sys.prefix), em and 'true' or 'false'))\n";

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int fill(struct facts *f, const struct sv *k, const struct sv *v)
{
    const char *ver = jsonkv_get(k, v, "version");
    const char *impl = jsonkv_get(k, v, "impl");
    const char *abi = jsonkv_get(k, v, "abiflags");
    const char *lib = jsonkv_get(k, v, "libpython");
    const char *prefix = jsonkv_get(k, v, "prefix");
    const char *em = jsonkv_get(k, v, "ext_managed");

    if (!ver || !impl || !abi || !lib || !prefix || !em ||
        pyver_parse(ver, &f->ver, 0) < 0 || f->ver.micro < 0)
        return -1;
    f->impl = xstrdup(impl);
    f->abiflags = xstrdup(abi);
    f->libpython = *lib ? xstrdup(lib) : NULL;
    f->prefix = xstrdup(prefix);
    f->ext_managed = !strcmp(em, "true");
    return 0;
}

int facts_parse_probe(const char *text, size_t len, struct facts *f)
{
    struct sv k = SV_INIT, v = SV_INIT;
    int ret = -1;

    if (jsonkv_parse(text, len, &k, &v) < 0)
        goto out;
    if (fill(f, &k, &v) < 0) {
        facts_release(f);
        goto out;
    }
    ret = 0;
out:
    sv_release(&k);
    sv_release(&v);
    return ret;
}

/* The cache key: the interpreter's identity as plain text, "SIZE:DEV:INO:
 * MTIME_NS:REAL_PATH", compared byte for byte with the record's (escaped:
 * any path, even one that is not UTF-8, compares exactly). It was a
 * SHA-256 of the same text, ~11k instructions a run for nothing: the
 * record is the user's own file, so a digest hid nothing, and a plain
 * text cannot collide. */
void facts_key(struct sb *key, const char *real, const struct plat_stat *st)
{
    sb_reset(key);
    sb_addf(key, "%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRId64 ":", st->size,
            st->dev, st->ino, st->mtime_ns);
    sb_addstr(key, real);
}

/* The record's first line: a JSON record of older pyshims (or anything
 * else) is a miss, probed again and replaced. */
static const char magic[] = "pyshim-facts 1";

int facts_parse(const char *text, size_t len, const char *key, struct facts *f)
{
    struct linerec r;
    struct sb ver = SB_INIT, impl = SB_INIT, abi = SB_INIT, lib = SB_INIT;
    struct sb prefix = SB_INIT;
    const char *em;
    size_t emn;
    int ret = -1;

    linerec_init(&r, text, len);
    if (linerec_line(&r) < 0 || linerec_word(&r, "pyshim-facts") < 0 ||
        linerec_word(&r, "1") < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "key") < 0 ||
        (key ? linerec_text_is(&r, key) : linerec_text(&r, &ver)) < 0 ||
        !linerec_line_done(&r))
        goto out;
    if (linerec_line(&r) < 0 || linerec_word(&r, "version") < 0 ||
        linerec_text(&r, &ver) < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "impl") < 0 ||
        linerec_text(&r, &impl) < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "abiflags") < 0 ||
        linerec_text(&r, &abi) < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "libpython") < 0 ||
        linerec_text(&r, &lib) < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "prefix") < 0 ||
        linerec_text(&r, &prefix) < 0 || !linerec_line_done(&r) ||
        linerec_line(&r) < 0 || linerec_word(&r, "ext_managed") < 0 ||
        linerec_field(&r, &em, &emn) < 0 || emn != 1 ||
        (*em != '0' && *em != '1') || !linerec_line_done(&r) ||
        !linerec_at_end(&r))
        goto out;
    if (pyver_parse(ver.buf, &f->ver, 0) < 0 || f->ver.micro < 0) {
        facts_release(f);
        goto out;
    }
    f->impl = sb_detach(&impl, NULL);
    f->abiflags = sb_detach(&abi, NULL);
    f->libpython = lib.len ? sb_detach(&lib, NULL) : NULL;
    f->prefix = sb_detach(&prefix, NULL);
    f->ext_managed = *em == '1';
    ret = 0;
out:
    sb_release(&ver);
    sb_release(&impl);
    sb_release(&abi);
    sb_release(&lib);
    sb_release(&prefix);
    return ret;
}

void facts_record(struct sb *rec, const struct facts *f, const char *key)
{
    char vb[32];

    sb_reset(rec);
    sb_addstr(rec, magic);
    sb_addstr(rec, "\nkey ");
    linerec_addesc(rec, key);
    sb_addstr(rec, "\nversion ");
    linerec_addesc(rec, pyver_str(&f->ver, vb, sizeof(vb)));
    sb_addstr(rec, "\nimpl ");
    linerec_addesc(rec, f->impl);
    sb_addstr(rec, "\nabiflags ");
    linerec_addesc(rec, f->abiflags);
    sb_addstr(rec, "\nlibpython ");
    linerec_addesc(rec, f->libpython ? f->libpython : "");
    sb_addstr(rec, "\nprefix ");
    linerec_addesc(rec, f->prefix);
    sb_addstr(rec, f->ext_managed ? "\next_managed 1\n" : "\next_managed 0\n");
}

/* A record names the libpython that embed mode loads: it counts only
 * when it is a regular file of the user's own (or root's) that no one
 * else may write (judged from the descriptor it was read from); anything
 * else is a miss, probed again and replaced. */
static int from_cache(const char *file, const char *key, struct facts *f)
{
    struct sb text = SB_INIT;
    struct plat_stat st;
    int ret = -1;

    if (plat_read_regular(file, 64 * 1024, &text, &st) < 0 ||
        (st.uid != plat_uid() && st.uid != 0) || (st.perm & 0022))
        goto out;
    ret = facts_parse(text.buf, text.len, key, f);
out:
    sb_release(&text);
    return ret;
}

int facts_get(const char *path, const char *realp, const char *cache_dir,
              struct facts *f, struct trace *t, struct err *e)
{
    struct sb real = SB_INIT, key = SB_INIT, file = SB_INIT, out = SB_INIT;
    struct sb rec = SB_INIT;
    struct sv argv = SV_INIT;
    struct plat_stat st;
    int status = 0, ret = -1;

    if (realp)
        sb_set(&real, realp);
    else if (plat_realpath(path, &real) < 0)
        real.len = 0;
    if (!real.len || plat_stat(real.buf, &st, 1) < 0) {
        err_set(e, PYSHIM_EXIT_NOTFOUND, "interpreter '%s' is missing: %s",
                path, plat_strerror(errno));
        goto out;
    }
    facts_key(&key, real.buf, &st);
    path_join(&file, cache_dir, "interp");
    sb_addf(&file, "%c%016" PRIx64 ".json", PLAT_DIRSEP, fnv1a(real.buf));
    if (!from_cache(file.buf, key.buf, f)) {
        ret = 0;
        goto out;
    }

    trace_add(t, "probing '%s' once (facts cache miss)", path);
    sv_push(&argv, path);
    sv_push(&argv, "-E");
    sv_push(&argv, "-s");
    sv_push(&argv, "-S");
    sv_push(&argv, "-c");
    sv_push(&argv, probe);
    if (plat_run(path, argv.v, &out, 0, &status) < 0 || status != 0 ||
        facts_parse_probe(out.buf, out.len, f) < 0) {
        facts_release(f);
        err_set(
            e, PYSHIM_EXIT_CANTEXEC,
            "cannot learn the version of '%s': it did not run as a Python interpreter (exit status %d)",
            path, status);
        err_hint(e, "check that '%s' runs, or remove it from the config", path);
        goto out;
    }
    /* The record, written atomically. A failure to cache is not an error:
     * the facts are right either way. */
    facts_record(&rec, f, key.buf);
    fs_write_file(file.buf, rec.buf, rec.len, 0644, 0755, NULL);
    ret = 0;
out:
    sb_release(&real);
    sb_release(&key);
    sb_release(&file);
    sb_release(&out);
    sb_release(&rec);
    sv_release(&argv);
    return ret;
}

void facts_release(struct facts *f)
{
    free(f->impl);
    free(f->abiflags);
    free(f->libpython);
    free(f->prefix);
    memset(f, 0, sizeof(*f));
    f->ver.major = f->ver.minor = f->ver.micro = -1;
}

int facts_is_framework_lib(const char *libpython)
{
    const char *m =
        libpython ? strstr(libpython, ".framework/Versions/") : NULL;
    const char *slash;

    if (!m)
        return 0;
    slash = strrchr(libpython, '/');
    return slash && slash > m && !strcmp(slash + 1, "Python");
}
