// SPDX-License-Identifier: Apache-2.0
#include "tc_text.h"

#include <cctype>
#include <sstream>
#include <vector>

namespace nettoll::testing {
namespace {

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

std::optional<uint64_t> parse_tc_rate(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  const double number = std::stod(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  double multiplier = 0;
  if (unit == "bit") multiplier = 1;
  if (unit == "Kbit") multiplier = 1e3;
  if (unit == "Mbit") multiplier = 1e6;
  if (unit == "Gbit") multiplier = 1e9;
  if (unit == "Tbit") multiplier = 1e12;
  if (multiplier == 0) return std::nullopt;
  return static_cast<uint64_t>(number * multiplier + 0.5);
}

std::map<std::string, TcTextClass> parse_tc_classes(const std::string& output) {
  std::map<std::string, TcTextClass> classes;
  std::istringstream in(output);
  TcTextClass* current = nullptr;
  for (std::string line; std::getline(in, line);) {
    auto words = words_of(line);
    if (words.size() >= 3 && words[0] == "class") {
      TcTextClass parsed;
      parsed.kind = words[1];
      parsed.id = words[2];
      for (size_t i = 3; i < words.size(); ++i) {
        const std::string& word = words[i];
        const std::string next = i + 1 < words.size() ? words[i + 1] : "";
        if (word == "root") parsed.parent = "root";
        if (word == "parent") parsed.parent = next;
        if (word == "leaf") parsed.leaf = next;
        if (word == "prio") parsed.prio = std::stoi(next);
        if (word == "rate") parsed.rate_bits = parse_tc_rate(next).value_or(0);
        if (word == "ceil") parsed.ceil_bits = parse_tc_rate(next).value_or(0);
      }
      current = &(classes[parsed.id] = parsed);
    } else if (current && words.size() >= 4 && words[0] == "Sent") {
      current->sent_bytes = std::stoull(words[1]);
      current->sent_packets = std::stoull(words[3]);
    }
  }
  return classes;
}

std::string tc_value_after(const std::string& line, const std::string& key) {
  auto words = words_of(line);
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == key) return words[i + 1];
  }
  return "";
}

}  // namespace nettoll::testing
