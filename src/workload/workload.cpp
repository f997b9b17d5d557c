#include "pgshape/workload.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "pgshape/error.hpp"
#include "pgshape/pg.hpp"

namespace pgshape {
namespace workload {
extern const char kWorkloadDriver[];  // src/workload/run.sh, embedded by CMake
}

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kParamsSchema = "pgshape_workload";
constexpr std::string_view kParamsSchemaMarker = "pgshape: workload parameters";
constexpr std::string_view kRowVariable = "pgshape_row";
// The advisory lock key setup and teardown hold while they create or drop the
// shared parameter schema ("pgshape_workload" in ASCII, truncated to 63 bits).
constexpr int64_t kSchemaLock = 0x7067736861706577;
constexpr size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw IoError("io.write-failed", fmt::format("cannot write {}", path.string()));
}

// Single-quoted for the shell: safe for any value.
std::string shell_quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A libpq `options` value that sets search_path: backslash-escaped spaces and
// backslashes, as libpq's option parser wants them.
std::string search_path_option(std::string_view schema) {
  std::string out = "-c search_path=";
  for (char c : quote_ident(schema)) {
    if (c == ' ' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// What a script draws: its variables, each from one column, and for every
// query step the text each $n becomes.
struct ScriptDraw {
  std::vector<QueryParam> sources;                     // one per variable
  std::vector<std::string> variables;                  // pgbench variable names
  std::vector<std::vector<std::string>> replacements;  // per step, per $n
};

// Steps that draw from the same column share the variable: the product a user
// opens is the one they add to the cart. Within one query, the k-th parameter
// drawing from a column takes that column's k-th variable, so `id IN ($1, $2)`
// still gets two values.
ScriptDraw plan_draw(const std::vector<const Query*>& steps) {
  ScriptDraw draw;
  std::map<std::string, size_t> variable_of;  // "table.column#k" -> index
  std::set<std::string> taken;
  for (const Query* query : steps) {
    std::vector<std::string> replacements;
    std::map<std::string, int> seen;
    for (const QueryParam& param : query->params) {
      if (param.table.empty()) {
        replacements.push_back(pgbench_literal(literal_value(param)));
        continue;
      }
      const std::string column = param.table + "." + param.column;
      const int occurrence = seen[column]++;
      const std::string key = fmt::format("{}#{}", column, occurrence);
      auto [it, added] = variable_of.try_emplace(key, draw.variables.size());
      if (added) {
        std::string name = "p_" + safe_name(param.table + "_" + param.column);
        if (occurrence > 0) name += fmt::format("_{}", occurrence + 1);
        const std::string base = name;
        for (int k = 2; !taken.insert(name).second; ++k) name = fmt::format("{}_{}", base, k);
        draw.variables.push_back(name);
        draw.sources.push_back(param);
      }
      replacements.push_back(":" + draw.variables[it->second]);
    }
    draw.replacements.push_back(std::move(replacements));
  }
  return draw;
}

// A name on one line: for SQL comments and the tab-separated index.
std::string one_line(std::string name) {
  for (char& c : name)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return name;
}

std::string join_names(const std::vector<const Query*>& steps) {
  std::string out;
  for (const Query* q : steps) out += (out.empty() ? "" : ", ") + one_line(q->name);
  return out;
}

}  // namespace

const std::vector<WorkloadStage>& campaign_burst_stages() {
  static const std::vector<WorkloadStage> kStages = {
      {"baseline", 10, 10, 30},
      {"email_blast", 10, 800, 90},
      {"peak", 400, 400, 600},
      {"evening", 100, 100, 300},
  };
  return kStages;
}

std::vector<WorkloadScript> write_workload(const Profile& profile, const WorkloadOptions& options) {
  const Scale* scale = profile.find_scale(options.scale);
  if (!scale)
    throw UsageError("usage.unknown-scale", fmt::format("unknown scale point '{}'", options.scale));
  if (profile.queries.empty())
    throw UsageError("usage.no-queries",
                     fmt::format("profile '{}' declares no queries", profile.name),
                     "add queries: (and transactions:) for workload to run");
  const std::string schema = options.schema.empty() ? profile.schema : options.schema;

  struct Pending {
    WorkloadScript script;
    std::vector<const Query*> steps;
  };
  std::vector<Pending> pending;
  for (const auto& q : profile.queries)
    pending.push_back({{.name = q.name, .transaction = false, .weight = 1}, {&q}});
  for (const auto& t : profile.transactions) {
    Pending p{{.name = t.name, .transaction = true, .weight = t.weight}, {}};
    for (const auto& step : t.steps) {
      const Query* q = profile.find_query(step);
      if (!q)
        throw UsageError("usage.unknown-query",
                         fmt::format("transaction '{}': no query '{}'", t.name, step));
      p.steps.push_back(q);
    }
    pending.push_back(std::move(p));
  }

  std::error_code ec;
  fs::create_directories(options.out / "scripts", ec);
  if (!ec) fs::create_directories(options.out / "params", ec);
  if (ec)
    throw IoError("io.write-failed",
                  fmt::format("cannot create {}: {}", options.out.string(), ec.message()));

  const std::string table_prefix = safe_name(schema) + "__";
  std::set<std::string> stems;
  std::string setup, checks, teardown, index;
  setup += fmt::format(
      "-- Written by pgshape workload: the parameter tables the scripts read.\n"
      "\\set ON_ERROR_STOP 1\n"
      "SET client_min_messages = warning;\n"
      "BEGIN;\n"
      "-- One workload at a time creates or drops the shared schema.\n"
      "SELECT pg_advisory_xact_lock({lock}) \\g /dev/null\n"
      "DO $pgshape$BEGIN\n"
      "  IF to_regnamespace({data}) IS NULL THEN\n"
      "    RAISE EXCEPTION 'schema % does not exist: load the data first', {data};\n"
      "  END IF;\n"
      "  IF to_regnamespace({params}) IS NOT NULL AND coalesce(obj_description(\n"
      "      to_regnamespace({params}), 'pg_namespace'), '') <> {marker} THEN\n"
      "    RAISE EXCEPTION 'schema % exists and is not pgshape''s: not touching it', {params};\n"
      "  END IF;\n"
      "END$pgshape$;\n"
      "CREATE SCHEMA IF NOT EXISTS {params_ident};\n"
      "COMMENT ON SCHEMA {params_ident} IS {marker};\n",
      fmt::arg("lock", kSchemaLock), fmt::arg("data", pgbench_literal(quote_ident(schema))),
      fmt::arg("params", pgbench_literal(kParamsSchema)),
      fmt::arg("params_ident", quote_ident(kParamsSchema)),
      fmt::arg("marker", pgbench_literal(kParamsSchemaMarker)));
  checks += "-- Written by pgshape workload: parameter values missing from the loaded data.\n";

  std::vector<WorkloadScript> scripts;
  for (auto& [script, steps] : pending) {
    std::string stem = safe_name(script.name);
    for (int k = 2; !stems.insert(stem).second; ++k)
      stem = fmt::format("{}_{}", safe_name(script.name), k);
    script.file_stem = stem;
    const std::string table_name = table_prefix + stem;
    if (table_name.size() > kMaxIdentifierBytes)
      throw UsageError("workload.bad-query",
                       fmt::format("'{}' makes the parameter table name '{}' longer than {} bytes",
                                   script.name, table_name, kMaxIdentifierBytes),
                       "use a shorter query, transaction or schema name");
    const std::string table = qualified(kParamsSchema, table_name);

    ScriptDraw draw = plan_draw(steps);
    std::string text =
        fmt::format("-- pgshape workload: {} {} ({}); profile {}, scale {}, seed {}.\n",
                    script.transaction ? "transaction" : "query", one_line(script.name),
                    join_names(steps), profile.name, scale->name, options.seed);
    // The queries name their tables unqualified, as the profile's author wrote
    // them: the script sets the data's schema itself, so it also runs alone
    // (`pgbench -n -f scripts/x.sql`, after setup.sql when it draws parameters).
    // pgbench has no once-per-connection step, so this is one more (cheap,
    // no-I/O) statement per transaction, the same in every script of the mix.
    text += fmt::format(
        "-- The data's schema (the queries name tables unqualified): this file also runs alone.\n"
        "SET search_path = {};\n",
        quote_ident(schema));
    if (!draw.sources.empty()) {
      // The table's columns: the row number the script looks up, then its variables.
      ParamFile file =
          draw_params(profile, *scale, options.seed, script.name, draw.sources, options.count);
      file.names = {"n"};
      file.integer.insert(file.integer.begin(), true);
      file.names.insert(file.names.end(), draw.variables.begin(), draw.variables.end());
      for (size_t r = 0; r < file.rows.size(); ++r)
        file.rows[r].insert(file.rows[r].begin(), std::to_string(r + 1));
      write_file(options.out / "params" / (stem + ".csv"), to_csv(file));

      std::string columns;
      for (const auto& v : draw.variables) columns += fmt::format(", {} text NOT NULL", v);
      setup += fmt::format(
          "DROP TABLE IF EXISTS {0};\n"
          "CREATE TABLE {0} (n integer PRIMARY KEY{1});\n"
          "\\copy {0} FROM 'params/{2}.csv' WITH (FORMAT csv, HEADER true)\n"
          "ANALYZE {0};\n",
          table, columns, stem);
      teardown += fmt::format("    DROP TABLE IF EXISTS {};\n", table);
      for (size_t v = 0; v < draw.sources.size(); ++v) {
        const QueryParam& source = draw.sources[v];
        const Table* source_table = profile.find_table(source.table);
        const Column* column = source_table ? source_table->find_column(source.column) : nullptr;
        if (!column)
          throw UsageError("usage.unknown-table",
                           fmt::format("no column '{}.{}'", source.table, source.column));
        checks += fmt::format(
            "SELECT {}, {}, count(*) FROM {} p WHERE NOT EXISTS (SELECT 1 FROM {} t WHERE t.{} = "
            "p.{}::{});\n",
            pgbench_literal(script.name), pgbench_literal(source.table + "." + source.column),
            table, qualified(schema, source.table), quote_ident(source.column), draw.variables[v],
            column->type.sql());
      }
      text += fmt::format("\\set {} random(1, {})\n", kRowVariable, options.count);
      std::string list;
      for (const auto& v : draw.variables) list += (list.empty() ? "" : ", ") + v;
      text += fmt::format("SELECT {} FROM {} WHERE n = :{} \\gset\n", list, table, kRowVariable);
    }
    if (script.transaction) text += "BEGIN;\n";
    for (size_t s = 0; s < steps.size(); ++s) {
      if (script.transaction) text += fmt::format("-- {}\n", safe_name(steps[s]->name));
      text += pgbench_sql(steps[s]->sql, draw.replacements[s], steps[s]->name) + "\n";
    }
    if (script.transaction) text += "COMMIT;\n";
    write_file(options.out / "scripts" / (stem + ".sql"), text);
    index += fmt::format("{}\t{}\t{}\t{}\n", stem, script.transaction ? "transaction" : "query",
                         script.weight, one_line(script.name));
    scripts.push_back(std::move(script));
  }
  // Only inside a schema that carries our marker: run.sh runs this on any exit,
  // also when setup stopped at a schema that is not ours.
  teardown = fmt::format(
      "-- Written by pgshape workload: removes what setup.sql made.\n"
      "SET client_min_messages = warning;\n"
      "DO $pgshape$BEGIN\n"
      "  PERFORM pg_advisory_xact_lock({4});\n"
      "  IF coalesce(obj_description(to_regnamespace({0}), 'pg_namespace'), '') = {1} THEN\n"
      "{3}"
      "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class\n"
      "                   WHERE relnamespace = to_regnamespace({0})) THEN\n"
      "      DROP SCHEMA {2};\n"
      "    END IF;\n"
      "  END IF;\n"
      "END$pgshape$;\n",
      pgbench_literal(kParamsSchema), pgbench_literal(kParamsSchemaMarker),
      quote_ident(kParamsSchema), teardown, kSchemaLock);

  std::string stages = "# stage\tfrom_tx_per_s\tto_tx_per_s\tseconds\n";
  for (const auto& s : campaign_burst_stages())
    stages += fmt::format("{}\t{}\t{}\t{}\n", s.name, s.from_rate, s.to_rate, s.seconds);

  const std::string conf = fmt::format(
      "# Written by pgshape workload; read by run.sh.\n"
      "PROFILE={}\nSCALE={}\nSEED={}\nDATA_SCHEMA={}\nPARAM_ROWS={}\nSEARCH_PATH_OPTION={}\n",
      shell_quoted(profile.name), shell_quoted(scale->name), options.seed, shell_quoted(schema),
      options.count, shell_quoted(search_path_option(schema)));

  write_file(options.out / "scripts.tsv", "# script\tkind\tweight\tname\n" + index);
  write_file(options.out / "stages.tsv", stages);
  write_file(options.out / "workload.conf", conf);
  write_file(options.out / "setup.sql", setup + "COMMIT;\n");
  write_file(options.out / "checks.sql", checks);
  write_file(options.out / "teardown.sql", teardown);
  write_file(options.out / "run.sh", workload::kWorkloadDriver);
  fs::permissions(options.out / "run.sh",
                  fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add, ec);
  return scripts;
}

}  // namespace pgshape
