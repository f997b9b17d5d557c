// Built-in vocabularies for `words` columns (wordlist: product, lorem, ...).
#pragma once

#include <span>
#include <string_view>

namespace pgshape::gen {

// The words of a built-in list; empty for an unknown name.
std::span<const std::string_view> wordlist(std::string_view name);

// Product names read "<adjective> <material> <noun>": these are the three parts.
std::span<const std::string_view> product_adjectives();
std::span<const std::string_view> product_materials();
std::span<const std::string_view> product_nouns();

}  // namespace pgshape::gen
