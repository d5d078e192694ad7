// SPDX-License-Identifier: Apache-2.0
// The config loader on arbitrary text: YAML in, a Config or diagnostics out,
// never a crash, an exception or a diagnostic without a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config_loader.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nettoll::fuzz::check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nettoll::LoadedConfig loaded = nettoll::load_config_text(text, "fuzz.yaml");
  check(loaded.ok() == loaded.config.has_value(), "a config is returned exactly when there is no error");
  for (const nettoll::Diagnostic& diagnostic : loaded.diagnostics) {
    check(!diagnostic.message.empty(), "every diagnostic says what is wrong");
    check(diagnostic.file == "fuzz.yaml", "every diagnostic names the file");
    check(!nettoll::format_diagnostic(diagnostic).empty(), "a diagnostic formats to a line");
  }
  return 0;
}
