// SPDX-License-Identifier: Apache-2.0
// `nettoll explain tbf RATE [--latency T] [--mtu N] [--hz N] [--link ethernet|none]`.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/tbf_measurements.h"
#include "core/plan.h"
#include "core/tbf_params.h"
#include "kernel/kernel_capabilities.h"

namespace nettoll::cli {
namespace {

struct ExplainTbfOptions {
  std::string rate;
  std::string latency = "50ms";
  uint32_t mtu = 1500;
  int hz = 0;  // 0 = the running kernel's
  std::string link = "ethernet";
};

int run_explain_tbf(const ExplainTbfOptions& options) {
  auto rate = parse_rate(options.rate);
  if (!rate) {
    std::cerr << "nettoll explain tbf: " << rate.error() << "\n";
    return kExitBadInput;
  }
  auto latency = parse_duration(options.latency);
  if (!latency) {
    std::cerr << "nettoll explain tbf: --latency: " << latency.error() << "\n";
    return kExitBadInput;
  }
  TbfInput input;
  input.rate = *rate;
  input.latency = *latency;
  input.mtu = options.mtu;
  input.link_header_bytes = options.link == "none" ? 0 : kEthernetHeaderBytes;
  if (options.hz > 0) {
    input.hz = options.hz;
  } else {
    const KernelCapabilities kernel = probe_kernel_capabilities().capabilities;
    input.hz = kernel.hz;
    input.hz_assumed = kernel.hz_assumed;
  }
  const TbfPlan tbf = plan_tbf("IF", input);
  std::cout << "tbf rate " << format_rate(tbf.rate) << " burst " << tbf.burst_bytes << " limit "
            << tbf.limit_bytes << "\n";
  for (const std::string& line : tbf.explanation) std::cout << "  " << line << "\n";
  std::cout << "\ndoes rate/HZ still matter?\n";
  for (const std::string& line : tbf_burst_findings()) std::cout << "  " << line << "\n";
  std::cout << "\nthe same with tc:\n  " << tc_command_for(tbf) << "\n";
  std::cout << "\nthe same with systemd-networkd:\n" << networkd_section_for(tbf);
  return kExitOk;
}

}  // namespace

CommandRunner add_explain_command(CLI::App& app) {
  auto options = std::make_shared<ExplainTbfOptions>();
  CLI::App* command = app.add_subcommand("explain", "Explain how nettoll derives kernel parameters");
  command->require_subcommand(1);
  CLI::App* tbf = command->add_subcommand("tbf", "TBF burst and queue limit for a rate");
  tbf->add_option("RATE", options->rate, "rate, in tc units (e.g. 1mbit)")->required();
  tbf->add_option("--latency", options->latency, "longest a packet may wait in the queue")
      ->capture_default_str();
  tbf->add_option("--mtu", options->mtu, "interface MTU in bytes")
      ->capture_default_str()
      ->check(CLI::Range(68, 65535));
  tbf->add_option("--hz", options->hz, "kernel timer frequency (default: the running kernel's CONFIG_HZ)")
      ->check(CLI::Range(1, 10000));
  tbf->add_option("--link", options->link,
                  "link-layer header on top of the MTU: ethernet (14 bytes) or none (WireGuard, tun)")
      ->capture_default_str()
      ->check(CLI::IsMember({"ethernet", "none"}));
  return [options]() { return run_explain_tbf(*options); };
}

}  // namespace nettoll::cli
