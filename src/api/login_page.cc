// SPDX-License-Identifier: Apache-2.0
#include "api/login_page.h"

#include "web/web_assets.h"

namespace nettoll {

// src/web/login.html, embedded at build time with the dashboard's files.
ApiResponse login_page(int status) {
  const EmbeddedFile* page = find_embedded_file("login.html");
  ApiResponse response =
      text_response(status, page != nullptr ? std::string(page->bytes) : "run `nettoll dashboard`\n",
                    page != nullptr ? "text/html; charset=utf-8" : "text/plain; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace nettoll
