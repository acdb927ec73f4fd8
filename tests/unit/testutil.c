/* realpath() and fchmod() are X/Open */
#define _XOPEN_SOURCE 700

#include "tests/unit/testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *tu_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl, *real;
    size_t n;

    if (!tmp || tmp[0] != '/')
        tmp = "/tmp";
    n = strlen(tmp) + sizeof("/pyshim-unit-XXXXXX");
    tmpl = malloc(n);
    assert_non_null(tmpl);
    snprintf(tmpl, n, "%s/pyshim-unit-XXXXXX", tmp);
    if (!mkdtemp(tmpl))
        fail_msg("mkdtemp '%s': %s", tmpl, strerror(errno));
    /* Resolve links (/tmp -> /private/tmp) so paths compare as realpaths. */
    real = realpath(tmpl, NULL);
    assert_non_null(real);
    free(tmpl);
    return real;
}

char *tu_path(const char *root, const char *rel)
{
    size_t n = strlen(root) + strlen(rel) + 2;
    char *p = malloc(n);

    assert_non_null(p);
    if (*rel)
        snprintf(p, n, "%s/%s", root, rel);
    else
        snprintf(p, n, "%s", root);
    return p;
}

static void mkdirs(char *path)
{
    char *s;

    for (s = path + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            fail_msg("mkdir '%s': %s", path, strerror(errno));
        *s = '/';
    }
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        fail_msg("mkdir '%s': %s", path, strerror(errno));
}

static void mkparents(const char *path)
{
    char *dir = strdup(path);
    char *slash;

    assert_non_null(dir);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdirs(dir);
    }
    free(dir);
}

void tu_write_bytes(const char *root, const char *rel, const void *data,
                    size_t len, unsigned mode)
{
    char *p = tu_path(root, rel);
    int fd;

    mkparents(p);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        fail_msg("open '%s': %s", p, strerror(errno));
    if (len && write(fd, data, len) != (ssize_t)len)
        fail_msg("write '%s': %s", p, strerror(errno));
    /* fchmod: the mode exactly, whatever the umask */
    if (fchmod(fd, (mode_t)mode) < 0)
        fail_msg("chmod '%s': %s", p, strerror(errno));
    close(fd);
    free(p);
}

void tu_write(const char *root, const char *rel, const char *text)
{
    tu_write_bytes(root, rel, text, strlen(text), 0644);
}

void tu_mkdir(const char *root, const char *rel)
{
    char *p = tu_path(root, rel);

    mkdirs(p);
    free(p);
}

void tu_symlink(const char *target, const char *root, const char *rel)
{
    char *p = tu_path(root, rel);

    mkparents(p);
    if (symlink(target, p) < 0)
        fail_msg("symlink '%s' -> '%s': %s", p, target, strerror(errno));
    free(p);
}

void tu_rmtree(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *de;

    if (lstat(path, &st) < 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0700); /* a test may have locked it */
    d = opendir(path);
    while (d && (de = readdir(d))) {
        char *child;

        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        child = tu_path(path, de->d_name);
        tu_rmtree(child);
        free(child);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

void tu_cleanup(char *path)
{
    if (path)
        tu_rmtree(path);
    free(path);
}

int tu_exists(const char *root, const char *rel)
{
    char *p = tu_path(root, rel);
    struct stat st;
    int ret = lstat(p, &st) == 0;

    free(p);
    return ret;
}

char *tu_read(const char *path)
{
    return tu_read_bytes(path, NULL);
}

char *tu_read_bytes(const char *path, size_t *lenp)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t len = 0, alloc = 256, n;

    if (!f)
        return NULL;
    buf = malloc(alloc);
    assert_non_null(buf);
    while ((n = fread(buf + len, 1, alloc - len - 1, f)) > 0) {
        len += n;
        if (alloc - len - 1 == 0) {
            alloc *= 2;
            buf = realloc(buf, alloc);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    if (lenp)
        *lenp = len;
    return buf;
}
