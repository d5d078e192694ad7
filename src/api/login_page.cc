// SPDX-License-Identifier: Apache-2.0
#include "api/login_page.h"

namespace nettoll {
namespace {

constexpr const char* kLoginPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>nettoll: log in</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }
code { font-size: 1.05em; padding: 0.1em 0.3em; border-radius: 3px; background: rgba(127,127,127,0.2); }
</style>
</head>
<body>
<h1>nettoll dashboard</h1>
<p id="login-needed">This page needs a login. On the machine nettoll runs on, run</p>
<p><code>sudo nettoll dashboard</code></p>
<p>and open the login link it prints (or run <code>sudo nettoll dashboard --open</code>).
A link works once, within 2 minutes. The session lasts while you use it (it ends after
12 hours idle, and when the daemon restarts).</p>
<p>Scripts use the API token instead: <code>Authorization: Bearer</code> with the token in
<code>api: token-file</code>.</p>
</body>
</html>
)";

}  // namespace

ApiResponse login_page(int status) {
  ApiResponse response = text_response(status, kLoginPage, "text/html; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace nettoll
