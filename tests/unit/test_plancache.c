/* Unit tests for launcher/plancache.h: what a record keeps of a watch
 * (plancache_answers, pure: no file system). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/plat.h"
#include "common/sb.h"
#include "launcher/plancache.h"
#include "tests/unit/testutil.h"

#define T0 ((int64_t)1000 * 1000000000) /* the decision started here */
#define OLD ((int64_t)900 * 1000000000 + 123)

static struct plat_obs dir_obs(int kind, const char *path, int meta)
{
    struct plat_obs o;

    memset(&o, 0, sizeof(o));
    o.kind = kind;
    o.meta = meta;
    o.path = (char *)(uintptr_t)path;
    o.st.is_dir = 1;
    o.st.perm = 0755;
    o.st.dev = 1;
    o.st.ino = 42;
    o.st.mtime_ns = o.st.ctime_ns = OLD;
    return o;
}

static struct plat_obs file_obs(int kind, const char *path)
{
    struct plat_obs o = dir_obs(kind, path, 0);

    o.st.is_dir = 0;
    o.st.is_reg = 1;
    o.st.ino = 7;
    o.st.size = 10;
    return o;
}

static struct plat_obs absent(int kind, const char *path)
{
    struct plat_obs o;

    memset(&o, 0, sizeof(o));
    o.kind = kind;
    o.err = 2; /* ENOENT on Linux, macOS and the BSDs */
    o.path = (char *)(uintptr_t)path;
    return o;
}

/* The record's lines for obs, or NULL when it cannot be replayed. */
static char *answers(const struct plat_obs *obs, size_t n)
{
    struct sb rec = SB_INIT;

    if (plancache_answers(&rec, obs, n, T0, 0x5eed) < 0) {
        sb_release(&rec);
        return NULL;
    }
    return sb_detach(&rec, NULL);
}

static int has_line_for(const char *rec, const char *tag, const char *path)
{
    const char *p;
    size_t n = strlen(path);

    for (p = rec; (p = strstr(p, path)); p += n)
        if (p[n] == '\n' && p > rec && p[-1] == ' ') {
            const char *line = p;

            while (line > rec && line[-1] != '\n')
                line--;
            if (!strncmp(line, tag, strlen(tag)))
                return 1;
        }
    return 0;
}

static void test_plancache_answers__merged_once(void **state)
{
    struct plat_obs o[3];
    char *rec;

    (void)state;
    o[0] = file_obs(PLAT_OBS_STAT, "/p/.venv/pyvenv.cfg");
    o[1] = o[0];
    o[2] = o[0];
    rec = answers(o, 3);
    assert_non_null(rec);
    /* one line: the path once */
    assert_non_null(strstr(rec, "pyvenv.cfg"));
    assert_null(strstr(strstr(rec, "pyvenv.cfg") + 1, "pyvenv.cfg"));
    free(rec);
}

static void test_plancache_answers__two_ways_spoil(void **state)
{
    struct plat_obs o[2];

    (void)state;
    o[0] = file_obs(PLAT_OBS_STAT, "/p/.pyshim.json");
    o[1] = o[0];
    o[1].st.size = 11; /* rewritten between two questions */
    assert_null(answers(o, 2));
    o[1] = absent(PLAT_OBS_STAT, "/p/.pyshim.json");
    assert_null(answers(o, 2));
}

static void test_plancache_answers__absent_in_a_kept_dir(void **state)
{
    struct plat_obs o[3];
    char *rec;

    (void)state;
    /* an lstat that found nothing, in a dir whose times are kept: known */
    o[0] = dir_obs(PLAT_OBS_STAT, "/p", 0);
    o[1] = absent(PLAT_OBS_LSTAT, "/p/.python-version");
    /* a stat that found nothing may be a dangling link: asked again */
    o[2] = absent(PLAT_OBS_STAT, "/p/x");
    rec = answers(o, 3);
    assert_non_null(rec);
    assert_true(has_line_for(rec, "s 1 0 0", "/p"));
    assert_false(has_line_for(rec, "s 0", "/p/.python-version"));
    assert_true(has_line_for(rec, "s 1 0 2", "/p/x"));
    free(rec);
    /* the dir's answer kept without its times (meta): asked again */
    o[0] = dir_obs(PLAT_OBS_LSTAT, "/p", 1);
    rec = answers(o, 2);
    assert_non_null(rec);
    assert_true(has_line_for(rec, "s 0 0 2", "/p/.python-version"));
    free(rec);
    /* a relative or unplain name is asked again */
    o[0] = dir_obs(PLAT_OBS_STAT, "/p", 0);
    o[1] = absent(PLAT_OBS_LSTAT, "/p/../p/.python-version");
    rec = answers(o, 2);
    assert_non_null(rec);
    assert_true(has_line_for(rec, "s 0 0 2", "/p/../p/.python-version"));
    free(rec);
}

static void test_plancache_answers__stat_known_from_lstat(void **state)
{
    struct plat_obs o[2];
    char *rec;

    (void)state;
    o[0] = file_obs(PLAT_OBS_LSTAT, "/p/.venv/pyvenv.cfg");
    o[1] = file_obs(PLAT_OBS_STAT, "/p/.venv/pyvenv.cfg");
    rec = answers(o, 2);
    assert_non_null(rec);
    assert_true(has_line_for(rec, "s 0 0 0", "/p/.venv/pyvenv.cfg"));
    assert_false(has_line_for(rec, "s 1", "/p/.venv/pyvenv.cfg"));
    free(rec);
    /* a link: its target's stat is asked again */
    o[0].st.is_reg = 0;
    o[0].st.is_lnk = 1;
    rec = answers(o, 2);
    assert_non_null(rec);
    assert_true(has_line_for(rec, "s 1 0 0", "/p/.venv/pyvenv.cfg"));
    free(rec);
}

static void test_plancache_answers__too_fresh(void **state)
{
    struct plat_obs o[1];
    char *rec;

    (void)state;
    o[0] = file_obs(PLAT_OBS_STAT, "/p/.pyshim.json");
    o[0].st.ctime_ns = T0 - 10000000; /* 10 ms before: could change unseen */
    assert_null(answers(o, 1));
    o[0].st.ctime_ns = T0 - 60000000; /* 60 ms: outside the window */
    rec = answers(o, 1);
    assert_non_null(rec);
    free(rec);
    /* whole-second times: a 2 s window */
    o[0].st.ctime_ns = T0 - (int64_t)1000000000;
    o[0].st.mtime_ns = o[0].st.ctime_ns;
    assert_null(answers(o, 1));
    /* a meta answer's times do not count (/tmp changes all the time) */
    o[0] = dir_obs(PLAT_OBS_LSTAT, "/tmp", 1);
    o[0].st.mtime_ns = o[0].st.ctime_ns = T0;
    rec = answers(o, 1);
    assert_non_null(rec);
    free(rec);
}

static void test_plancache_answers__values(void **state)
{
    struct plat_obs o[3];
    char *rec;

    (void)state;
    memset(o, 0, sizeof(o));
    o[0].kind = PLAT_OBS_ENV;
    o[0].path = (char *)(uintptr_t) "PATH";
    o[0].value = (char *)(uintptr_t) "/usr/bin:/bin";
    o[1] = o[0];
    o[2] = o[0];
    o[2].value = NULL; /* unset at another moment: spoils */
    assert_null(answers(o, 3));
    rec = answers(o, 2);
    assert_non_null(rec);
    assert_non_null(strstr(rec, "v 6 0 1 PATH /usr/bin:/bin\n"));
    free(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plancache_answers__merged_once),
        cmocka_unit_test(test_plancache_answers__two_ways_spoil),
        cmocka_unit_test(test_plancache_answers__absent_in_a_kept_dir),
        cmocka_unit_test(test_plancache_answers__stat_known_from_lstat),
        cmocka_unit_test(test_plancache_answers__too_fresh),
        cmocka_unit_test(test_plancache_answers__values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
