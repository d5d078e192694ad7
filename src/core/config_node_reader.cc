// SPDX-License-Identifier: Apache-2.0
#include "core/config_node_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>

#include "core/data_size.h"

namespace nettoll {
namespace {

// Bits-or-bytes confusion thresholds: a byte rate this large, or a bare
// number this small, is more likely a unit mistake than what the user meant.
constexpr Rate kLargeByteRate = Rate::bits_per_second(1'000'000'000);
constexpr uint64_t kSmallBareNumber = 10'000;

struct ByteUnit {
  std::string_view suffix;
  std::string_view meaning;
};

constexpr std::array kByteUnits = {
    ByteUnit{"tibps", "tebibytes"}, ByteUnit{"gibps", "gibibytes"}, ByteUnit{"mibps", "mebibytes"},
    ByteUnit{"kibps", "kibibytes"}, ByteUnit{"tbps", "terabytes"},  ByteUnit{"gbps", "gigabytes"},
    ByteUnit{"mbps", "megabytes"},  ByteUnit{"kbps", "kilobytes"},  ByteUnit{"bps", "bytes"},
};

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  return std::string(text);
}

bool is_bare_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

}  // namespace

std::string describe_rate(const RateValue& value) {
  const std::string canonical = format_rate(value.rate);
  return lowercase(value.text) == canonical ? value.text : value.text + " (" + canonical + ")";
}

SourceMark mark_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return SourceMark{mark.line + 1, mark.column + 1};
}

std::string closest_key(std::string_view key, const std::vector<std::string_view>& known) {
  const std::string lower = lowercase(key);
  std::string best;
  size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const size_t distance = edit_distance(lower, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "an empty value";
  }
}

void ConfigNodeReader::report(Diagnostic::Severity severity, SourceMark mark, std::string message) {
  diagnostics_.push_back(Diagnostic{severity, file_name_, mark, std::move(message)});
}

SourceMark ConfigNodeReader::position_of(const YAML::Node& node) const {
  return node.IsNull() && current_key_.line > 0 ? current_key_ : mark_of(node);
}

void ConfigNodeReader::error(SourceMark mark, std::string message) {
  report(Diagnostic::Severity::error, mark, std::move(message));
}

void ConfigNodeReader::warning(SourceMark mark, std::string message) {
  report(Diagnostic::Severity::warning, mark, std::move(message));
}

size_t ConfigNodeReader::error_count() const {
  return static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::error;
  }));
}

std::vector<Diagnostic> ConfigNodeReader::take_diagnostics() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.mark.line, a.mark.column) < std::pair(b.mark.line, b.mark.column);
  });
  return std::move(diagnostics_);
}

bool ConfigNodeReader::read_fields(const YAML::Node& node, const std::string& what, const std::string& where,
                                   const Fields& fields) {
  if (node.IsNull()) return true;
  if (!node.IsMap()) {
    error(node, what + ": expected a map of settings, got " + describe_node(node));
    return false;
  }
  std::vector<std::string_view> known;
  for (const auto& field : fields) known.push_back(field.first);
  read_named_entries(node, what, "key", [&](const YAML::Node& key, const YAML::Node& value) {
    const std::string& name = key.Scalar();
    const auto field =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    if (field != fields.end()) return field->second(value);
    const std::string suggestion = closest_key(name, known);
    error(key,
          "unknown key '" + name + "' " + where +
              (suggestion.empty() ? "; known keys: " + join(known) : ": did you mean '" + suggestion + "'?"));
  });
  return true;
}

void ConfigNodeReader::read_named_entries(const YAML::Node& node, const std::string& what,
                                          std::string_view kind, const EntryHandler& handler) {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    error(node, what + ": expected a map, got " + describe_node(node));
    return;
  }
  std::map<std::string, SourceMark> seen;
  // yaml-cpp keeps repeated keys, in file order; a lookup would see only the
  // first, so walk them all and report the later ones.
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      error(entry.first, what + ": expected a name, got " + describe_node(entry.first));
      continue;
    }
    const std::string name = entry.first.Scalar();
    const auto [first, inserted] = seen.emplace(name, mark_of(entry.first));
    if (!inserted) {
      error(entry.first, what + ": duplicate " + std::string(kind) + " '" + name + "' (first at line " +
                             std::to_string(first->second.line) + "); remove or rename one");
      continue;
    }
    const SourceMark outer_key = std::exchange(current_key_, mark_of(entry.first));
    handler(entry.first, entry.second);
    current_key_ = outer_key;
  }
}

std::optional<std::string> ConfigNodeReader::read_scalar(const YAML::Node& node, const std::string& what,
                                                         std::string_view expected) {
  if (node.IsScalar()) return node.Scalar();
  error(node, what + ": expected " + std::string(expected) + ", got " + describe_node(node));
  return std::nullopt;
}

std::optional<std::string> ConfigNodeReader::read_string(const YAML::Node& node, const std::string& what) {
  auto text = read_scalar(node, what, "a string");
  if (text && text->empty()) {
    error(node, what + ": is empty; give a value or remove the key");
    return std::nullopt;
  }
  return text;
}

std::optional<RateValue> ConfigNodeReader::read_rate(const YAML::Node& node, const std::string& what) {
  const auto text = read_scalar(node, what, "a rate such as 10mbit");
  if (!text) return std::nullopt;
  const auto rate = parse_rate(*text);
  if (!rate && parse_data_size(*text).ok()) {
    error(node, what + ": '" + *text + "' is a size, but a rate is wanted here, such as 10mbit");
    return std::nullopt;
  }
  if (!rate) {
    error(node, what + ": " + rate.error());
    return std::nullopt;
  }
  RateValue value{*rate, trimmed(*text), mark_of(node)};
  warn_about_rate_units(value, what);
  return value;
}

void ConfigNodeReader::warn_about_rate_units(const RateValue& value, const std::string& what) {
  const std::string lower = lowercase(value.text);
  if (is_bare_number(lower) && value.rate.bits_per_second() < kSmallBareNumber) {
    warning(value.mark, what + ": '" + value.text + "' is " + value.text + " bit/s: did you mean '" +
                            value.text + "kbit'?");
    return;
  }
  for (const ByteUnit& unit : kByteUnits) {
    if (!lower.ends_with(unit.suffix)) continue;
    if (value.rate >= kLargeByteRate) {
      const std::string in_bits = value.text.substr(0, value.text.size() - 3) + "bit";
      warning(value.mark, what + ": '" + value.text + "' is " + format_rate(value.rate) +
                              ": tc units read '" + std::string(unit.suffix) + "' as " +
                              std::string(unit.meaning) + " per second; did you mean '" + in_bits + "'?");
    }
    return;
  }
}

std::optional<int> ConfigNodeReader::read_priority(const YAML::Node& node, const std::string& what) {
  const std::string expected = "an integer from " + std::to_string(kHighestPriority) + " (served first) to " +
                               std::to_string(kLowestPriority) + " (served last)";
  const auto text = read_scalar(node, what, expected);
  if (!text) return std::nullopt;
  int priority = -1;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), priority);
  if (ec != std::errc() || end != text->data() + text->size() || priority < kHighestPriority ||
      priority > kLowestPriority) {
    error(node, what + ": expected " + expected + ", got '" + *text + "'");
    return std::nullopt;
  }
  return priority;
}

std::optional<bool> ConfigNodeReader::read_bool(const YAML::Node& node, const std::string& what) {
  bool value = false;
  if (node.IsScalar() && YAML::convert<bool>::decode(node, value)) return value;
  error(node, what + ": expected true or false, got " + describe_node(node));
  return std::nullopt;
}

std::optional<Duration> ConfigNodeReader::read_duration(const YAML::Node& node, const std::string& what) {
  const auto text = read_scalar(node, what, "a duration such as 20ms");
  if (!text) return std::nullopt;
  const auto duration = parse_duration(*text);
  if (!duration) {
    error(node, what + ": " + duration.error());
    return std::nullopt;
  }
  if (duration->count() == 0) {
    error(node, what + ": must be above zero, such as 20ms");
    return std::nullopt;
  }
  return *duration;
}

std::optional<uint32_t> ConfigNodeReader::read_integer(const YAML::Node& node, const std::string& what,
                                                       uint32_t minimum, uint32_t maximum) {
  const std::string expected =
      "an integer from " + std::to_string(minimum) + " to " + std::to_string(maximum);
  const auto text = read_scalar(node, what, expected);
  if (!text) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < minimum || value > maximum) {
    error(node, what + ": expected " + expected + ", got '" + *text + "'");
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

std::optional<double> parse_fraction(std::string text) {
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.pop_back();
  double value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (percent) value /= 100;
  if (value < 0 || value > 1) return std::nullopt;
  return value;
}

}  // namespace nettoll
