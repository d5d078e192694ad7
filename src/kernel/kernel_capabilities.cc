#include "kernel/kernel_capabilities.h"

#include <sys/utsname.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace nettoll {
namespace {

std::string read_gzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) return "";
  std::string text;
  char buffer[16384];
  int count = 0;
  while ((count = gzread(file, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(count));
  gzclose(file);
  return text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string kernel_release() {
  utsname name{};
  return uname(&name) == 0 ? name.release : "";
}

// A qdisc built as a module is usable when it is loaded or can be loaded.
bool module_available(const std::string& module, const std::string& release) {
  if (std::filesystem::exists("/sys/module/" + module)) return true;
  const std::string base = "/lib/modules/" + release + "/kernel/net/sched/" + module + ".ko";
  for (const char* suffix : {"", ".xz", ".zst", ".gz"}) {
    if (std::filesystem::exists(base + suffix)) return true;
  }
  return false;
}

}  // namespace

std::string kernel_config_value(const std::string& config_text, const std::string& name) {
  const std::string key = "CONFIG_" + name + "=";
  size_t at = 0;
  while ((at = config_text.find(key, at)) != std::string::npos) {
    if (at == 0 || config_text[at - 1] == '\n') {
      const size_t start = at + key.size();
      return config_text.substr(start, config_text.find('\n', start) - start);
    }
    at += key.size();
  }
  return "";
}

ProbedCapabilities probe_kernel_capabilities() {
  ProbedCapabilities probed;
  const std::string release = kernel_release();
  std::string config = read_gzip("/proc/config.gz");
  probed.source = "/proc/config.gz";
  if (config.empty()) {
    probed.source = "/boot/config-" + release;
    config = read_text(probed.source);
  }
  if (config.empty()) {
    probed.source = "defaults (no kernel config found: HZ 250 assumed)";
    probed.capabilities.has_fq_codel = module_available("sch_fq_codel", release);
    return probed;
  }
  const std::string hz = kernel_config_value(config, "HZ");
  if (!hz.empty()) probed.capabilities.hz = std::stoi(hz);
  const std::string fq_codel = kernel_config_value(config, "NET_SCH_FQ_CODEL");
  probed.capabilities.has_fq_codel =
      fq_codel == "y" || (fq_codel == "m" && module_available("sch_fq_codel", release));
  return probed;
}

}  // namespace nettoll
