#include <gtest/gtest.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "test_support.h"

namespace audify {

TEST(AtomicFile, WritesAndReadsBack) {
  test::TempDir dir("atomic");
  write_file_atomic(dir.path() / "sub" / "a.txt", "hello");
  EXPECT_EQ(read_file(dir.path() / "sub" / "a.txt"), "hello");
  EXPECT_THROW(read_file(dir.path() / "missing.txt"), Error);
}

}  // namespace audify
