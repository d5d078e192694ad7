// SPDX-License-Identifier: Apache-2.0
#include "core/api_config_loader.h"

#include "core/listen_address.h"

namespace nettoll {

ApiConfig read_api_config(ConfigNodeReader& reader, const YAML::Node& node) {
  ApiConfig api;
  api.mark = mark_of(node);
  reader.read_fields(node, "api", "in api",
                     {{"listen",
                       [&](const YAML::Node& value) {
                         api.listen = reader.read_string(value, "api: listen").value_or(api.listen);
                         if (auto address = parse_listen_address(api.listen); !address)
                           reader.error(value, "api: listen: " + address.error());
                       }},
                      {"token-file", [&](const YAML::Node& value) {
                         api.token_file =
                             reader.read_string(value, "api: token-file").value_or(api.token_file);
                       }}});
  return api;
}

void check_api_settings(ConfigNodeReader& reader, const Config& config) {
  if (!config.api || !config.reservations || !config.reservations->sets_api) return;
  const ReservationsConfig& reservations = *config.reservations;
  if (reservations.api == config.api->listen && reservations.token_file == config.api->token_file) return;
  reader.warning(reservations.mark, "reservations: api/token-file (" + reservations.api + ", " +
                                        reservations.token_file + ") differ from api: (" +
                                        config.api->listen + ", " + config.api->token_file +
                                        "); the API uses api:, remove one of them");
}

std::optional<ApiConfig> tcp_api_of(const Config& config) {
  if (config.api) return config.api;
  if (!config.reservations) return std::nullopt;
  return ApiConfig{config.reservations->api, config.reservations->token_file, config.reservations->mark};
}

}  // namespace nettoll
