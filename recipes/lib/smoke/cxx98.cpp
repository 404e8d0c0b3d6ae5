// The C++98 smoke program of the GCC stages: templates (partial and explicit specialisation),
// virtual dispatch, the containers and algorithms, string streams, iostream and exceptions
// (a library type and a plain int) must all work. Prints one line; exits 0 only if all agree.
#include <algorithm>
#include <cstddef>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

template <typename T, typename U> struct Pair { static const char *name() { return "generic"; } };
template <typename T> struct Pair<T, T> { static const char *name() { return "same"; } };
template <> struct Pair<int, char> { static const char *name() { return "int-char"; } };

struct Shape { virtual ~Shape() {} virtual int area() const = 0; };
struct Square : Shape { int s; explicit Square(int s) : s(s) {} int area() const { return s * s; } };
struct Rect : Shape { int w, h; Rect(int w, int h) : w(w), h(h) {} int area() const { return w * h; } };

static int thrower(int n) {
    if (n == 1) throw std::runtime_error("runtime");
    if (n == 2) throw 42;
    return n;
}

int main() {
    std::ostringstream out;
    out << Pair<int, long>::name() << ' ' << Pair<char, char>::name() << ' ' << Pair<int, char>::name();

    std::vector<Shape *> shapes;
    shapes.push_back(new Square(3));
    shapes.push_back(new Rect(2, 5));
    int total = 0;
    for (std::size_t i = 0; i < shapes.size(); ++i) { total += shapes[i]->area(); delete shapes[i]; }
    out << ' ' << total;

    std::vector<std::string> words;
    words.push_back("pear"); words.push_back("apple"); words.push_back("fig");
    std::sort(words.begin(), words.end());
    std::map<std::string, int> lengths;
    for (std::size_t i = 0; i < words.size(); ++i) lengths[words[i]] = static_cast<int>(words[i].size());
    out << ' ' << words[0] << lengths["pear"];

    int caught = 0;
    try { thrower(1); } catch (const std::exception &e) { caught += std::string(e.what()) == "runtime"; }
    try { thrower(2); } catch (int v) { caught += v == 42; }
    out << ' ' << caught;

    const std::string expected = "generic same int-char 19 apple4 2";
    std::cout << out.str() << std::endl;
    return out.str() == expected ? 0 : 1;
}
