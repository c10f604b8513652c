//===- MemoryPlanTest.cpp - Tests of the arena offset assignment ----------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file tests assignArenaOffsets (passes/lower/MemoryPlan.h): reuse of
// dead buffers, alignment, and, on random live ranges, that no two buffers
// live at the same time overlap in memory and that the arena stays within
// reach of the lower bound (the most bytes live at once).
//
//===----------------------------------------------------------------------===//

#include "passes/lower/MemoryPlan.h"

#include <gtest/gtest.h>

#include <random>

using namespace lathe::lower;

namespace {

PlannedBuffer buffer(int64_t bytes, int64_t first, int64_t last) {
  PlannedBuffer b;
  b.bytes = bytes;
  b.firstUse = first;
  b.lastUse = last;
  return b;
}

TEST(MemoryPlan, DeadBuffersAreReused) {
  std::vector<PlannedBuffer> buffers = {buffer(64, 0, 3), buffer(64, 2, 5),
                                        buffer(64, 4, 5)};
  EXPECT_EQ(assignArenaOffsets(buffers, 64), 128);
  EXPECT_EQ(buffers[0].offset, 0);
  EXPECT_EQ(buffers[1].offset, 64);
  EXPECT_EQ(buffers[2].offset, 0);
}

TEST(MemoryPlan, TouchingRangesDoNotShare) {
  // Live ranges are inclusive: a buffer last read by the op that writes
  // the next must not share memory with it.
  std::vector<PlannedBuffer> buffers = {buffer(100, 0, 2), buffer(100, 2, 4)};
  EXPECT_EQ(assignArenaOffsets(buffers, 1), 200);
  EXPECT_NE(buffers[0].offset, buffers[1].offset);
}

TEST(MemoryPlan, OffsetsAreAligned) {
  std::vector<PlannedBuffer> buffers = {buffer(10, 0, 1), buffer(7, 0, 1),
                                        buffer(3, 0, 1)};
  int64_t arena = assignArenaOffsets(buffers, 64);
  for (const PlannedBuffer &b : buffers)
    EXPECT_EQ(b.offset % 64, 0);
  EXPECT_EQ(arena, 192);
}

TEST(MemoryPlan, LargeBuffersFirstFillGaps) {
  // The big buffer goes first at 0; the two small ones, live at different
  // times, share the space after it.
  std::vector<PlannedBuffer> buffers = {buffer(16, 0, 1), buffer(1024, 0, 9),
                                        buffer(16, 5, 9)};
  EXPECT_EQ(assignArenaOffsets(buffers, 16), 1040);
  EXPECT_EQ(buffers[1].offset, 0);
  EXPECT_EQ(buffers[0].offset, 1024);
  EXPECT_EQ(buffers[2].offset, 1024);
}

TEST(MemoryPlan, RandomRangesNeverOverlapLiveBuffers) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<PlannedBuffer> buffers;
    for (int i = 0; i < 150; ++i) {
      int64_t first = rng() % 300;
      buffers.push_back(buffer(1 + rng() % 5000, first, first + rng() % 40));
    }
    int64_t arena = assignArenaOffsets(buffers, 64);
    int64_t peakLive = 0;
    for (int64_t t = 0; t < 340; ++t) {
      int64_t live = 0;
      for (const PlannedBuffer &b : buffers)
        if (b.firstUse <= t && t <= b.lastUse)
          live += b.bytes;
      peakLive = std::max(peakLive, live);
    }
    for (size_t i = 0; i < buffers.size(); ++i) {
      const PlannedBuffer &a = buffers[i];
      EXPECT_LE(a.offset + a.bytes, arena);
      for (size_t j = i + 1; j < buffers.size(); ++j) {
        const PlannedBuffer &b = buffers[j];
        bool sameTime = a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
        bool sameSpace =
            a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
        EXPECT_FALSE(sameTime && sameSpace)
            << "buffers " << i << " and " << j << " overlap";
      }
    }
    // Never below the lower bound; greedy by size stays within 2x of it.
    EXPECT_GE(arena, peakLive);
    EXPECT_LE(arena, 2 * peakLive + 64 * 150);
  }
}

} // namespace
