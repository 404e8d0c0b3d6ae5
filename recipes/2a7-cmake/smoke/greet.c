#include <stdio.h>

int greet(const char *who) {
    return printf("hello, %s\n", who) > 0 ? 0 : 1;
}
