// SPDX-License-Identifier: Apache-2.0
// ConfigNodeReader: reads typed values out of YAML nodes and collects a
// Diagnostic for every problem instead of stopping at the first. Used by
// config_loader; not part of the public config API.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/diagnostic.h"

namespace nettoll {

// A rate as written, so messages can quote the user's own spelling.
struct RateValue {
  Rate rate;
  std::string text;
  SourceMark mark;
};

// "2500kbps (20mbit)" or "10mbit" when the written form is already canonical.
std::string describe_rate(const RateValue& value);

// 1-based position of a node, as printed in diagnostics.
SourceMark mark_of(const YAML::Node& node);

// The known key closest to `key` within edit distance 2, or "" when none is.
std::string closest_key(std::string_view key, const std::vector<std::string_view>& known);

class ConfigNodeReader {
 public:
  using FieldHandler = std::function<void(const YAML::Node& value)>;
  using Fields = std::vector<std::pair<std::string_view, FieldHandler>>;
  using EntryHandler = std::function<void(const YAML::Node& key, const YAML::Node& value)>;

  explicit ConfigNodeReader(std::string file_name) : file_name_(std::move(file_name)) {}

  void error(SourceMark mark, std::string message);
  void error(const YAML::Node& node, std::string message) { error(position_of(node), std::move(message)); }
  void warning(SourceMark mark, std::string message);
  void warning(const YAML::Node& node, std::string message) {
    warning(position_of(node), std::move(message));
  }
  // The diagnostics so far, in file order.
  std::vector<Diagnostic> take_diagnostics();
  // How many errors (not warnings) were reported so far.
  size_t error_count() const;

  // Calls the handler of each key of a map of settings; reports keys that are
  // unknown (with a "did you mean") or repeated. `where` completes "unknown
  // key 'x' ...", e.g. "in process 'voice'". False when `node` is no map.
  bool read_fields(const YAML::Node& node, const std::string& what, const std::string& where,
                   const Fields& fields);
  // Calls `handler` for each entry of a map keyed by names of the user's
  // choice (processes, interfaces), reporting repeated names as "duplicate
  // `kind` 'name'". Null counts as an empty map.
  void read_named_entries(const YAML::Node& node, const std::string& what, std::string_view kind,
                          const EntryHandler& handler);

  // Each reader reports a problem under `what` (e.g. "process 'voice':
  // download") and returns nullopt for a missing or bad value.
  std::optional<std::string> read_string(const YAML::Node& node, const std::string& what);
  std::optional<RateValue> read_rate(const YAML::Node& node, const std::string& what);
  std::optional<int> read_priority(const YAML::Node& node, const std::string& what);
  std::optional<bool> read_bool(const YAML::Node& node, const std::string& what);
  std::optional<Duration> read_duration(const YAML::Node& node, const std::string& what);
  std::optional<uint32_t> read_integer(const YAML::Node& node, const std::string& what, uint32_t minimum,
                                       uint32_t maximum);
  // A scalar's text, or nullopt after reporting "expected `expected`, got a list".
  std::optional<std::string> read_scalar(const YAML::Node& node, const std::string& what,
                                         std::string_view expected);

 private:
  void report(Diagnostic::Severity severity, SourceMark mark, std::string message);
  // Where to report a problem with `node`: an empty value (`upload:` with
  // nothing after it) is marked by yaml-cpp at the next token, so point at
  // its key instead.
  SourceMark position_of(const YAML::Node& node) const;
  void warn_about_rate_units(const RateValue& value, const std::string& what);

  std::string file_name_;
  std::vector<Diagnostic> diagnostics_;
  SourceMark current_key_;  // key of the entry being read, for empty values
};

// "80%" or "0.8" as a fraction from 0 to 1; nullopt for anything else.
std::optional<double> parse_fraction(std::string text);

// "a list", "a map", "an empty value", "'text'": for "expected X, got Y".
std::string describe_node(const YAML::Node& node);

}  // namespace nettoll
