// `atmo report` and `atmo log export` run as processes against a simulated day's database: files
// written, what goes to standard output and error, and the documented exit codes.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "controller/cli/exit_codes.hpp"
#include "simulated_day.hpp"

namespace atmo::report {
namespace {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

struct Fixture {
  test::TempDir dir;
  std::string db = dir.file("atmo.db");
  Fixture() {
    auto venue = test::demo_venue();
    test::write_simulated_day(db, *zones::Schedule::create(venue));
  }
  Run run(const std::string& args) const {
    const std::string out = dir.file("stdout"), err = dir.file("stderr");
    const std::string cmd = std::string(ATMO_REPORT_CLI) + " " + args + " >" + quote(out) + " 2>" + quote(err);
    const int status = std::system(cmd.c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  std::string source() const { return "--venue " + quote(test::demo_venue_file()) + " --db " + quote(db); }
};

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("atmo report writes each format and exits 0") {
  Fixture f;
  const auto html = f.dir.file("day.html");
  auto r = f.run("report " + f.source() + " --date 2026-11-18 --format html --out " + quote(html));
  INFO(r.err);
  REQUIRE(r.code == cli::kExitOk);
  CHECK(r.err.find("wrote " + html) != std::string::npos);
  const auto page = slurp(html);
  CHECK(page.find("Relaxation lounge") != std::string::npos);
  CHECK(page.find("92.5 %") != std::string::npos);

  const auto csv = f.dir.file("day.csv");
  r = f.run("report " + f.source() + " --date 2026-11-18 --zone lounge --format csv -o " + quote(csv));
  REQUIRE(r.code == cli::kExitOk);
  CHECK(line_count(slurp(csv)) == 1 + 5);
  CHECK(line_count(slurp(f.dir.file("day.criteria.csv"))) == 1 + 6);

  r = f.run("report " + f.source() + " --date 2026-11-18 --zone lounge --format md");
  REQUIRE(r.code == cli::kExitOk);
  CHECK(r.out.find("## Relaxation lounge (lounge)") != std::string::npos);

  r = f.run("report " + f.source() + " --date 2026-11-18 --zone lounge --json");
  REQUIRE(r.code == cli::kExitOk);
  CHECK(r.out.find("\"index_percent\":9.25E1") != std::string::npos);
}

TEST_CASE("atmo report exit codes: unknown zone 2, no data 1, no database 4, bad venue 3") {
  Fixture f;
  auto r = f.run("report " + f.source() + " --date 2026-11-18 --zone spa-pool");
  CHECK(r.code == cli::kExitUsage);
  CHECK(r.err.find("unknown zone 'spa-pool'") != std::string::npos);

  r = f.run("report " + f.source() + " --date 2026-11-20");
  CHECK(r.code == cli::kExitFailure);
  CHECK(r.err.find("no readings on 2026-11-20 in " + f.db + ": was atmo running that day?") != std::string::npos);

  r = f.run("report " + f.source() + " --date 18.11.2026");
  CHECK(r.code == cli::kExitUsage);

  r = f.run("report " + f.source() + " --date 2026-11-18 --format pdf");
  CHECK(r.code == cli::kExitUsage);

  r = f.run("report --venue " + quote(test::demo_venue_file()) + " --db " + quote(f.dir.file("missing.db")) +
            " --date 2026-11-18");
  CHECK(r.code == cli::kExitUnreachable);
  CHECK(r.err.find("no telemetry database at") != std::string::npos);

  const auto garbage = f.dir.file("garbage.db");
  std::ofstream(garbage) << "this is not a database, it is a shopping list\n";
  r = f.run("report --venue " + quote(test::demo_venue_file()) + " --db " + quote(garbage) + " --date 2026-11-18");
  CHECK(r.code == cli::kExitUnreachable);
  CHECK(r.err.find("cannot read the telemetry database") != std::string::npos);

  const auto bad_venue = f.dir.file("venue.yaml");
  std::ofstream(bad_venue) << "id: x\nzones: [{id: a, colour: red}]\n";
  r = f.run("report --venue " + quote(bad_venue) + " --db " + quote(f.db) + " --date 2026-11-18");
  CHECK(r.code == cli::kExitConfigInvalid);
}

TEST_CASE("atmo log export streams readings to CSV and ends with a summary line") {
  Fixture f;
  const auto csv = f.dir.file("lounge.csv");
  auto r = f.run("log export " + f.source() +
                 " --from 2026-11-18T08:00 --to 2026-11-18T09:00 --points lounge.climate.temperature,tea.air.temperature"
                 " --out " + quote(csv));
  INFO(r.err);
  REQUIRE(r.code == cli::kExitOk);
  const auto text = slurp(csv);
  CHECK(text.rfind("time,time_ms,point,value,quality\n", 0) == 0);
  CHECK(line_count(text) == 1 + 61 + 60);
  CHECK(r.err.find("exported 121 rows of 2/2 points") != std::string::npos);
  CHECK(r.err.find('\r') == std::string::npos);  // no progress bar when stderr is not a terminal

  r = f.run("log export " + f.source() + " --from 2026-11-18 --to 2026-11-18 --zone lounge -p air.temperature --step 1h");
  REQUIRE(r.code == cli::kExitOk);
  CHECK(line_count(r.out) == 1);  // lounge.air.temperature was never recorded: header only

  r = f.run("log export " + f.source() + " --from 2026-11-18 --to 2026-11-18 --zone lounge --step 1h");
  REQUIRE(r.code == cli::kExitOk);
  CHECK(line_count(r.out) == 1 + 24 + 24);  // climate.temperature and lux.illuminance, hourly

  r = f.run("log export " + f.source() + " --from 2026-11-18 --points lounge.nothing.here");
  CHECK(r.code == cli::kExitUsage);
  CHECK(r.err.find("unknown point 'lounge.nothing.here'") != std::string::npos);
  r = f.run("log export " + f.source() + " --from tomorrow");
  CHECK(r.code == cli::kExitUsage);
  r = f.run("log export " + f.source() + " --from 2026-11-18 --step fast");
  CHECK(r.code == cli::kExitUsage);
}

}  // namespace atmo::report
