/* Unit tests for common/sha256.h: digests of lengths around the block and
 * padding boundaries, whole and fed in pieces, against Python's hashlib. */
#include <string.h>

#include "common/sha256.h"
#include "tests/unit/testutil.h"

/* byte i of every input is (i * 7 + 3) & 0xff */
static const struct {
    size_t len;
    const char *hex;
} cases[] = {
    {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {1, "084fed08b978af4d7d196a7446a86b58009e636b611db16211b65a9aadff29c5"},
    {3, "6ab0dba1f4f1dfbb37b4f9eeb092c09fca4900ad32bdcd147d8dde35d6c87c35"},
    {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
    {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
    {57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"},
    {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
    {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
    {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
    {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
    {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
    {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
    {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
};

static void fill(unsigned char *buf, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        buf[i] = (unsigned char)((i * 7 + 3) & 0xff);
}

static void test_sha256_hex__known_digests(void **state)
{
    unsigned char buf[1000];
    size_t i;

    (void)state;
    fill(buf, sizeof(buf));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sha256 s;
        char hex[65];

        sha256_init(&s);
        sha256_update(&s, buf, cases[i].len);
        sha256_hex(&s, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

static void test_sha256_update__in_pieces_same_digest(void **state)
{
    unsigned char buf[1000];
    size_t i, off, step;

    (void)state;
    fill(buf, sizeof(buf));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (step = 1; step <= 67; step += 11) {
            struct sha256 s;
            char hex[65];

            sha256_init(&s);
            for (off = 0; off < cases[i].len; off += step)
                sha256_update(&s, buf + off,
                              cases[i].len - off < step ? cases[i].len - off
                                                        : step);
            sha256_hex(&s, hex);
            assert_string_equal(hex, cases[i].hex);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_hex__known_digests),
        cmocka_unit_test(test_sha256_update__in_pieces_same_digest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
