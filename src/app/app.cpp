// The app module's shared pieces: the one place where library exceptions become
// pgshape errors, connecting with a clear message, the target a command used, and
// the small file and option helpers every command file needs.
#include "pgshape/app.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "app/internal.hpp"
#include "pgshape/session.hpp"
#include "pgshape/util.hpp"

namespace pgshape::app {
namespace fs = std::filesystem;

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// libpq's reason on one line: its messages put a detail ("Is the server running
// ...?") on a line of its own.
std::string one_line(std::string text) {
  text = trimmed(std::move(text));
  for (size_t at; (at = text.find("\n")) != std::string::npos;) {
    size_t end = at + 1;
    while (end < text.size() && (text[end] == '\t' || text[end] == ' ')) ++end;
    text.replace(at, end - at, " ");
  }
  return text;
}

}  // namespace

void rethrow_translated() {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const InternalError&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw DatabaseError(
        "db.lost-connection",
        redact_dsn(fmt::format("lost the connection to the server: {}", one_line(e.what()))),
        "the server closed the connection or went away; rerun when it is back", "08006");
  } catch (const pqxx::sql_error& e) {
    std::string where =
        e.query().empty() ? "" : " (in: " + one_line(e.query()).substr(0, 200) + ")";
    // pgshape pins statement_timeout to 0 in its sessions (session.hpp): a cancel comes
    // from elsewhere. A source keeps the user's lock_timeout, so a wait can still end.
    std::string hint;
    if (e.sqlstate() == "57014")
      hint =
          "the statement was cancelled (pg_cancel_backend, or a transaction_timeout of the role "
          "or database): nothing was written; rerun";
    else if (e.sqlstate() == "55P03")
      hint =
          "the lock_timeout of pgshape's session (from PGOPTIONS, the DSN's options, or ALTER "
          "ROLE/DATABASE ... SET) ended a wait for another session's lock: rerun when that "
          "session is done, or with a larger lock_timeout";
    else if (e.sqlstate() == "25006")
      hint = "the server is read-only (a standby?): name the primary";
    throw DatabaseError(
        e.sqlstate() == "55P03" ? ErrorId("db.lock-timeout") : ErrorId("db.query-failed"),
        redact_dsn(fmt::format("the server refused a statement: {}{}", one_line(e.what()), where)),
        hint, e.sqlstate());
  } catch (const fs::filesystem_error& e) {
    throw IoError("io.write-failed", fmt::format("{}: {}", e.path1().string(), e.code().message()));
  }
}

std::unique_ptr<pqxx::connection> connect(const std::string& dsn, std::string_view role,
                                          SessionKind kind) {
  try {
    return open_session(dsn, kind);
  } catch (const pqxx::broken_connection& e) {
    throw DatabaseError("db.connect-failed",
                        redact_dsn(fmt::format("could not connect to {}: {}", describe_dsn(dsn),
                                               one_line(e.what()))),
                        fmt::format("check {}: its host, port, database, user and password, and "
                                    "that the server is running and accepting connections",
                                    role),
                        "08001");
  } catch (const pqxx::failure& e) {
    // A malformed conninfo is refused by libpq before any network traffic.
    throw DatabaseError("db.connect-failed",
                        redact_dsn(fmt::format("could not connect to {}: {}", describe_dsn(dsn),
                                               one_line(e.what()))),
                        "a connection string is key=value pairs or a postgresql:// URI", "08001");
  }
}

ConnectionPlace place_of(pqxx::connection& conn) {
  auto text = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  return {text(conn.hostname()), text(conn.port()), text(conn.dbname()), text(conn.username())};
}

OpenedTarget open_target(const TargetOptions& options) {
  std::string bindir = options.pg_bin;
  if (const char* env = std::getenv("PGSHAPE_PG_BIN"); bindir.empty() && env != nullptr)
    bindir = env;
  OpenedTarget opened{
      Target::open(options.dsn, EmbeddedOptions{.keep = options.keep, .bindir = bindir}), {}};
  // Also the embedded server: the place comes from libpq, as for any other target.
  auto conn = connect(opened.target.dsn(),
                      opened.target.is_embedded() ? "the embedded server" : "the target database");
  opened.place = place_of(*conn);
  return opened;
}

TargetInfo describe_target(const OpenedTarget& opened, bool keep) {
  const Target& target = opened.target;
  TargetInfo info;
  info.embedded = target.is_embedded();
  info.kept = info.embedded && keep;
  info.source = target.source();
  info.place = opened.place;
  info.label = info.embedded ? "an embedded server" : describe_dsn(target.dsn());
  if (info.kept) {
    info.dsn = target.dsn();
    info.uri = conninfo_to_uri(target.dsn());
    info.connect_hint = target.server()->connect_hint();
  }
  return info;
}

std::string conninfo_to_uri(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    throw InternalError("conninfo_to_uri: " + redact_dsn(why));
  }
  auto encode = [](std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
        out += static_cast<char>(c);
      else
        out += fmt::format("%{:02X}", c);
    }
    return out;
  };
  std::string user, password, host, port, dbname;
  std::vector<std::string> params;  // everything else, key=value, in libpq's order
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    const std::string_view key = o->keyword;
    if (key == "user")
      user = o->val;
    else if (key == "password")
      password = o->val;
    else if (key == "host")
      host = o->val;
    else if (key == "port")
      port = o->val;
    else if (key == "dbname")
      dbname = o->val;
    else
      params.push_back(fmt::format("{}={}", key, encode(o->val)));
  }
  PQconninfoFree(options);
  std::string authority;
  if (!user.empty())
    authority = encode(user) + (password.empty() ? "" : ":" + encode(password)) + "@";
  if (!host.empty() && host.front() == '/') {
    // A socket directory cannot be a URI's host part: libpq reads it from ?host=.
    params.insert(params.begin(), "host=" + encode(host));
    if (!port.empty()) params.insert(params.begin() + 1, "port=" + port);
  } else {
    authority += host.find(':') != std::string::npos ? "[" + host + "]" : encode(host);
    if (!port.empty()) authority += ":" + port;
  }
  std::string uri = "postgresql://" + authority + "/" + encode(dbname);
  for (size_t i = 0; i < params.size(); ++i) uri += (i == 0 ? "?" : "&") + params[i];
  return uri;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string_view>& names,
                         std::string_view what) {
  std::string list;
  for (auto name : names) list.append(list.empty() ? "" : ", ").append(name);
  const std::string close = closest_match(word, names);
  return (close.empty() ? "" : fmt::format("did you mean '{}'? ", close)) +
         fmt::format("its {}: {}", what, list);
}

const Scale& require_scale(const Profile& profile, const std::string& name, std::string_view flag) {
  const std::string wanted = name.empty() ? profile.default_scale : name;
  if (const Scale* scale = profile.find_scale(wanted)) return *scale;
  std::vector<std::string_view> names;
  for (const auto& s : profile.scales) names.push_back(s.name);
  throw UsageError(
      "usage.unknown-scale",
      fmt::format("{}: unknown scale point '{}' in profile {}", flag, wanted, profile.name),
      did_you_mean(wanted, names, "scale points are"));
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  auto fail = [&](int error) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("io.write-failed",
                  fmt::format("cannot write {}: {}", path.string(), std::strerror(error)),
                  "check the directory exists, is writable and has space");
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(errno);
    out << text;
    out.flush();
    if (!out) fail(errno ? errno : EIO);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail(ec.value());
}

std::vector<ChangeKind> change_kinds(const std::vector<std::string>& names) {
  std::vector<ChangeKind> kinds;
  for (const auto& name : names)
    for (ChangeKind k : parse_change_kinds(name)) kinds.push_back(k);
  return kinds;
}

std::string gate_verdict(std::string_view command, const std::vector<ChangeKind>& gated,
                         const std::vector<CompareResult>& comparisons) {
  std::string tripped;
  for (ChangeKind kind : gated) {
    for (const auto& r : comparisons) {
      size_t n = 0;
      for (const auto& p : r.pairs) n += p.has(kind);
      if (n == 0) continue;
      tripped +=
          fmt::format("{}{} in {} → {} ({} of {})", tripped.empty() ? "" : ", ", to_string(kind),
                      r.label_a, r.label_b, n, plural(r.pairs.size(), "pair"));
    }
  }
  return tripped.empty() ? "" : fmt::format("{}: --fail-on gate tripped: {}", command, tripped);
}

}  // namespace pgshape::app

namespace pgshape {

std::string_view to_string(TargetSource source) {
  switch (source) {
    case TargetSource::kDsnOption:
      return "--dsn";
    case TargetSource::kDatabaseUrl:
      return "DATABASE_URL";
    case TargetSource::kLibpqEnvironment:
      return "PG* variables";
    case TargetSource::kEmbedded:
      return "embedded";
  }
  return "embedded";
}

}  // namespace pgshape
