// libFuzzer target: Decimal::Parse, ParseBillDecimal and ParseTimestamp on arbitrary text.
// A parsed decimal must print to text that parses back to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/bill_values.h"
#include "tally/decimal.h"
#include "tally/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto d = tally::Decimal::Parse(text); d.ok()) {
    auto again = tally::Decimal::Parse(d->ToString());
    if (!again.ok() || *again != *d) std::abort();
    (void)d->Multiply(*d);
  }
  (void)tally::ParseBillDecimal(text);
  std::string warning;
  if (auto t = tally::ParseTimestamp(text, &warning); t.ok()) (void)t->ToString();
  return 0;
}
