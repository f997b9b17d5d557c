// Where a command's data goes: the one place that decides it (user_target, then
// Target::open's embedded fallback), and how the place a connection landed is named.
// The order follows libpq's own conventions so that pgshape writes where psql would
// read: a user who exported PGHOST/PGDATABASE and ran pgshape must find the data there,
// not in a throwaway server that vanished at exit (issue #17).
#include <cstdlib>
#include <string>

#include "pgshape/pg.hpp"

namespace pgshape {
namespace {

const char* set_variable(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  // libpq treats an empty variable as its built-in default, so it names nothing.
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

bool blank(std::string_view dsn) {
  return dsn.find_first_not_of(" \t\n\r") == std::string_view::npos;
}

}  // namespace

std::optional<UserTarget> user_target(const std::optional<std::string>& dsn_option) {
  if (dsn_option) return UserTarget{*dsn_option, TargetSource::kDsnOption};
  if (const char* url = set_variable("DATABASE_URL"))
    return UserTarget{url, TargetSource::kDatabaseUrl};
  for (std::string_view name : kLibpqTargetVariables)
    if (set_variable(name) != nullptr) return UserTarget{"", TargetSource::kLibpqEnvironment};
  return std::nullopt;
}

std::string describe_dsn(std::string_view dsn) {
  if (!blank(dsn)) return redact_dsn(dsn);
  std::string set;
  for (std::string_view name : kLibpqTargetVariables) {
    if (const char* value = set_variable(name)) {
      set.append(set.empty() ? "" : ", ").append(name).append("=").append(value);
    }
  }
  // None of them may hold a password, but a service name or host could be quoted
  // with one by a careless user: redact anyway.
  return redact_dsn("libpq's defaults (" +
                    (set.empty() ? std::string("no PG* variables set") : set) + ")");
}

Target Target::open(const std::optional<std::string>& dsn_option, const EmbeddedOptions& embedded) {
  Target target;
  if (std::optional<UserTarget> user = user_target(dsn_option)) {
    target.dsn_ = std::move(user->dsn);
    target.source_ = user->source;
    return target;
  }
  target.server_ = EmbeddedServer::start(embedded);
  target.dsn_ = target.server_->dsn();
  target.source_ = TargetSource::kEmbedded;
  return target;
}

std::string ConnectionPlace::to_string() const {
  std::string where = host.empty() ? "localhost" : host;
  if (where.find(':') != std::string::npos && where.front() != '/') where = "[" + where + "]";
  where.append(":").append(port.empty() ? "5432" : port);
  return where.append("/").append(dbname);
}

}  // namespace pgshape
