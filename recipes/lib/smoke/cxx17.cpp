// The C++17 smoke program of the GCC 10 stages: lambdas (generic, capturing), std::optional,
// std::variant with std::visit, unordered_map, structured bindings, fold expressions, if constexpr
// and exceptions. Prints one line; exits 0 only if every part gives the expected value.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

template <typename... T> constexpr auto sum(T... v) { return (v + ...); }

template <typename T> std::string kind(const T &) {
    if constexpr (std::is_integral_v<T>) return "int";
    else return "other";
}

static std::optional<int> parse(const std::string &s) {
    try { return std::stoi(s); } catch (const std::invalid_argument &) { return std::nullopt; }
}

int main() {
    std::ostringstream out;
    int base = 10;
    auto add = [base](auto x) { return x + base; };
    out << add(5) << ' ' << sum(1, 2, 3, 4);

    std::unordered_map<std::string, int> counts;
    for (const char *w : {"a", "b", "a", "c", "a"}) ++counts[w];
    out << ' ' << counts["a"];

    std::vector<std::variant<int, std::string>> values{7, std::string("seven")};
    for (const auto &v : values)
        out << ' ' << std::visit([](const auto &x) { return kind(x); }, v);

    auto good = parse("123"), bad = parse("x");
    out << ' ' << good.value_or(-1) << ' ' << bad.value_or(-1);

    auto [q, r] = std::div(17, 5);
    out << ' ' << q << r;

    auto owned = std::make_unique<std::vector<int>>(4, 2);
    out << ' ' << std::accumulate(owned->begin(), owned->end(), 0);

    try { throw std::runtime_error("boom"); } catch (const std::exception &e) { out << ' ' << e.what(); }

    const std::string expected = "15 10 3 int other 123 -1 32 8 boom";
    std::cout << out.str() << std::endl;
    return out.str() == expected ? 0 : 1;
}
