// tally ingest vpc-flow and tally flows against the VPC flow log samples, and network cost
// attributed by bytes: every figure is checked against a sum the test computes itself from the
// raw lines, and the bill reconciles exactly.
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tally/decimal.h"
#include "testing/test_util.h"

namespace tally {
namespace {

using testing::RunTally;

const std::string kSamples =
    testing::SharedDataDir() + "/telemetry/network/grafana-vpc-flow-logs-analyzer/";

// Zones of the samples' private ranges; everything else public.
constexpr const char* kZonesYaml =
    "network:\n"
    "  zones:\n"
    "    - {cidr: 10.3.0.0/16, zone: eu-central-1a}\n"
    "    - {cidr: 10.60.0.0/16, zone: eu-central-1b}\n"
    "    - {cidr: 10.63.0.0/16, zone: eu-central-1a}\n";

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

// The test's own reading of the zones above: "" for an address outside them.
std::string ZoneOf(const std::string& ip) {
  if (ip.starts_with("10.3.") || ip.starts_with("10.63.")) return "eu-central-1a";
  if (ip.starts_with("10.60.")) return "eu-central-1b";
  return "";
}
bool IsPrivate(const std::string& ip) {
  return ip.starts_with("10.") || ip.starts_with("192.168.") || ip.starts_with("172.16.");
}
std::string ClassOf(const std::string& src, const std::string& dst) {
  if (!IsPrivate(src) && ZoneOf(src).empty()) return "ingress";
  if (!IsPrivate(dst) && ZoneOf(dst).empty()) return "internet";
  if (!ZoneOf(src).empty() && !ZoneOf(dst).empty()) {
    return ZoneOf(src) == ZoneOf(dst) ? "intra-zone" : "inter-zone";
  }
  return "unknown";
}

struct Sums {
  std::map<std::string, std::pair<int64_t, int64_t>> by_interface, by_class;  // bytes, packets
  int64_t nodata = 0, skipdata = 0;
};

// Sums a flow log independently: fields by the header's names (or the default format's).
Sums SumFile(const std::string& text) {
  Sums s;
  std::istringstream in(text);
  std::map<std::string, size_t> at;
  const char* v2[] = {"version", "account-id", "interface-id", "srcaddr", "dstaddr",
                      "srcport", "dstport",    "protocol",     "packets", "bytes",
                      "start",   "end",        "action",       "log-status"};
  for (size_t i = 0; i < 14; ++i) at[v2[i]] = i;
  bool first = true;
  for (std::string line; std::getline(in, line);) {
    const auto f = Fields(line);
    if (f.empty()) continue;
    if (first && f[0] == "version") {
      at.clear();
      for (size_t i = 0; i < f.size(); ++i) at[f[i]] = i;
      first = false;
      continue;
    }
    first = false;
    const std::string& status = f[at["log-status"]];
    if (status == "NODATA") ++s.nodata;
    if (status == "SKIPDATA") ++s.skipdata;
    if (status != "OK") continue;
    const int64_t bytes = std::stoll(f[at["bytes"]]), packets = std::stoll(f[at["packets"]]);
    auto add = [&](std::pair<int64_t, int64_t>& p) {
      p.first += bytes;
      p.second += packets;
    };
    add(s.by_interface[f[at["interface-id"]]]);
    add(s.by_class[ClassOf(f[at["srcaddr"]], f[at["dstaddr"]])]);
  }
  return s;
}

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::WriteFile(dir_.File("tally.yaml"), kZonesYaml); }
  testing::CommandResult Tally(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.File(db_)});
    return RunTally(args);
  }
  // `tally flows --by key --format json` as key -> (bytes, packets).
  std::map<std::string, std::pair<int64_t, int64_t>> Flows(const std::string& key) {
    auto r = Tally({"flows", "--by", key, "--format", "json", "--config", dir_.File("tally.yaml")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    const nlohmann::json parsed_1 = nlohmann::json::parse(r.out);
    for (const auto& row : parsed_1["rows"]) {
      out[row[key].get<std::string>()] = {row["bytes"].get<int64_t>(),
                                          row["packets"].get<int64_t>()};
    }
    return out;
  }
  testing::TempDir dir_;
  std::string db_ = "t.db";
};

TEST_F(NetworkTest, EverySampleMatchesAnIndependentSumPerInterfaceAndClass) {
  for (const char* name : {"aws-test_flow_logs.log", "aws-flow-logs-10.3.11.57-142.250.185.91.log"}) {
    SCOPED_TRACE(name);
    db_ = std::string(name) + ".db";
    const std::string path = kSamples + name;
    auto ingest = Tally({"ingest", "vpc-flow", path, "--config", dir_.File("tally.yaml")});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
    const Sums want = SumFile(testing::ReadFile(path));
    EXPECT_NE(ingest.out.find(std::to_string(want.nodata) + " NODATA, " +
                              std::to_string(want.skipdata) + " SKIPDATA"),
              std::string::npos)
        << ingest.out;
    EXPECT_EQ(Flows("interface"), want.by_interface);
    EXPECT_EQ(Flows("class"), want.by_class);
  }
}

TEST_F(NetworkTest, TheDefaultFormatWithoutHeaderGzippedReadsTheSame) {
  // The first sample's records in the default version-2 layout (14 fields, no header), gzipped.
  const std::string custom = testing::ReadFile(kSamples + "aws-test_flow_logs.log");
  std::istringstream in(custom);
  std::string v2, line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto f = Fields(line);
    std::string out = "2";
    for (size_t i = 1; i < 14; ++i) out += " " + f[i];
    v2 += out + "\n";
  }
  gzFile gz = gzopen(dir_.File("v2.log.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, v2.data(), static_cast<unsigned>(v2.size()));
  gzclose(gz);
  auto ingest = Tally({"ingest", "vpc-flow", dir_.File("v2.log.gz"), "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  const Sums want = SumFile(v2);
  EXPECT_EQ(want.nodata, 1);
  EXPECT_EQ(want.skipdata, 1);
  EXPECT_NE(ingest.out.find("4 records (1 NODATA, 1 SKIPDATA, 0 lines rejected)"), std::string::npos)
      << ingest.out;
  EXPECT_EQ(Flows("interface"), want.by_interface);
  EXPECT_EQ(Flows("class"), want.by_class);
  EXPECT_EQ(Flows("class"), [&] {
    Sums custom_sums = SumFile(custom);
    return custom_sums.by_class;
  }());
}

TEST_F(NetworkTest, BadLinesAreReportedAndACutLastLineIsNotCounted) {
  testing::WriteFile(dir_.File("bad.log"),
                     "2 1 eni-a 10.3.0.1 10.3.0.2 1 2 6 10 1000 1754321693 1754321724 ACCEPT OK\n"
                     "2 1 eni-a 10.3.0.1 10.3.0.2 1 2 6 ten 1000 1754321693 1754321724 ACCEPT OK\n"
                     "2 1 eni-a 10.3.0.1 10.3.0.2 1 2 6 10 500 1754321693 1754321724 ACCEPT BAD\n"
                     "2 1 eni-a 10.3.0.1 10.3.0.2 1 2 6 10 900 99999999999 99999999999 ACCEPT OK\n"
                     "2 1 eni-a 10.3.0.1 10.3.0.2 1 2 6 10 7000 1754321693");
  auto ingest = Tally({"ingest", "vpc-flow", dir_.File("bad.log"), "--config", dir_.File("tally.yaml")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.err.find("bad.log: line 2: packets: not a count"), std::string::npos) << ingest.err;
  EXPECT_NE(ingest.err.find("bad.log: line 3: log-status \"BAD\""), std::string::npos) << ingest.err;
  EXPECT_NE(ingest.err.find("bad.log: line 4: start or end outside 2000 to 2199"),
            std::string::npos)
      << ingest.err;
  EXPECT_NE(ingest.err.find("bad.log: line 5: 11 fields where the default format has 14"),
            std::string::npos)
      << ingest.err;
  EXPECT_NE(ingest.out.find("1 records (0 NODATA, 0 SKIPDATA, 4 lines rejected)"), std::string::npos)
      << ingest.out;
  const auto flows = Flows("interface");
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows.at("eni-a"), std::make_pair(int64_t{1000}, int64_t{10}));
}

TEST_F(NetworkTest, AHeaderWithoutTheNeededFieldsStoresNothingAndReadingAgainChangesNothing) {
  ASSERT_EQ(Tally({"ingest", "vpc-flow", kSamples + "aws-test_flow_logs.log", "--config",
                   dir_.File("tally.yaml")})
                .exit_code,
            0);
  const auto before = Flows("class");
  const std::string usage = Tally({"usage", "--by", "consumer", "--format", "csv"}).out;
  testing::WriteFile(dir_.File("nohead.log"), "version interface-id srcaddr dstaddr\n5 eni 1 2\n");
  auto bad = Tally({"ingest", "vpc-flow", kSamples + "aws-flow-logs-10.3.11.57-142.250.185.91.log",
                    dir_.File("nohead.log"), "--config", dir_.File("tally.yaml")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("names no packets, bytes, start"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("nothing was stored"), std::string::npos) << bad.err;
  EXPECT_EQ(Flows("class"), before);
  ASSERT_EQ(Tally({"ingest", "vpc-flow", kSamples + "aws-test_flow_logs.log", "--config",
                   dir_.File("tally.yaml")})
                .exit_code,
            0);
  EXPECT_EQ(Flows("class"), before);
  EXPECT_EQ(Tally({"usage", "--by", "consumer", "--format", "csv"}).out, usage);
  testing::WriteFile(dir_.File("junk.log"), "12 junk\n34 more junk\n");
  auto junk = Tally({"ingest", "vpc-flow", dir_.File("junk.log")});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.err.find("not a VPC flow log: none of its 2 lines is a flow record"),
            std::string::npos)
      << junk.err;
  EXPECT_EQ(Flows("class"), before);
  auto typo = Tally({"flows", "--by", "klass"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("none of interface, class, src, dst, consumer, owner"), std::string::npos);
}

}  // namespace
}  // namespace tally
