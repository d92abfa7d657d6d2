/* Loads a musllinux wheel's library with musl's dynamic loader and makes the calls that the
 * generated Python module makes at import before anything else: the uniffi contract version and
 * one checksum per exported function, each compared with the value the generated module expects.
 * No musl CPython can be had from the registries this machine reaches (see the Python guide), so
 * this is the closest real check: the library resolves all its symbols against musl (RTLD_NOW),
 * runs its initialisers, and answers.
 *
 *     musl_probe LIBRARY NAME=VALUE...   (built with `zig cc -target <arch>-linux-musl -dynamic`)
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: musl_probe LIBRARY NAME=VALUE...\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "musl_probe: dlopen: %s\n", dlerror());
        return 1;
    }
    int failed = 0;
    for (int i = 2; i < argc; i++) {
        char name[512];
        const char *eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof name) {
            fprintf(stderr, "musl_probe: bad argument %s\n", argv[i]);
            return 2;
        }
        memcpy(name, argv[i], (size_t)(eq - argv[i]));
        name[eq - argv[i]] = '\0';
        unsigned long expected = strtoul(eq + 1, NULL, 10);
        void *symbol = dlsym(lib, name);
        if (!symbol) {
            fprintf(stderr, "musl_probe: %s: not exported\n", name);
            failed++;
            continue;
        }
        /* The contract version is a u32, the checksums are u16 (uniffi's FFI signatures). */
        unsigned long got = strstr(name, "contract_version") ? ((uint32_t (*)(void))symbol)()
                                                             : ((uint16_t (*)(void))symbol)();
        if (got != expected) {
            fprintf(stderr, "musl_probe: %s() = %lu, the generated module expects %lu\n", name, got, expected);
            failed++;
        }
    }
    if (failed) return 1;
    printf("musl_probe: %s loaded; %d calls answered as the generated module expects\n", argv[1], argc - 2);
    return 0;
}
