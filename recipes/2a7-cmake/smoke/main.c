int greet(const char *who);

int main(void) {
    return greet("cmake");
}
