/**
 * The emulator's persistence: an append-only journal, replayed at start and compacted at each start.
 * <p>
 * <b>Format.</b> {@code <data dir>/dynamo.journal} holds one JSON object per line, UTF-8, each ending in {@code \n}:
 * <pre>
 * {"op":"createTable","table":"jobs","description":{...TableDescription...}}
 * {"op":"updateTable","table":"jobs","description":{...}}        (UpdateTable: the whole new description)
 * {"op":"timeToLive","table":"jobs","attribute":"expiresAt"}      (attribute null: TTL switched off)
 * {"op":"put","table":"jobs","item":{"id":{"S":"a"},...}}         (the full item after the change)
 * {"op":"delete","table":"jobs","key":{"id":{"S":"a"}}}
 * {"op":"deleteTable","table":"jobs"}
 * </pre>
 * <b>Writing.</b> The database calls {@link dev.spillway.local.dynamo.journal.JournalWriter} under its write lock,
 * before it answers the request, and each line goes to the file in one {@code write()}: once that returns the OS
 * holds the bytes, so an acknowledged write survives {@code kill -9} of the process. Only a power loss or kernel
 * crash can lose it; {@code fsync} (off by default, slow) closes that gap too by forcing each line to disk.
 * <p>
 * <b>Starting.</b> {@link dev.spillway.local.dynamo.journal.Journal#open} replays the journal into a fresh database.
 * A last line cut short by a crash (a torn write, never acknowledged) is logged and dropped; a damaged line before
 * the last one stops the start, as it means the file was altered. Then the journal is compacted: the current state
 * (tables, TTL settings, items) is written to {@code dynamo.journal.tmp}, forced to disk and renamed atomically over
 * the journal, so a journal of many overwrites shrinks to one line per live item, and a crash during compaction
 * leaves either the old or the new file whole.
 * <p>
 * Why a log rather than a store: the emulator keeps everything in memory anyway, so appending each change is the
 * cheapest durable write, and replaying a compacted log is fast at the sizes a local stack holds. Stream records are
 * not persisted (see {@link dev.spillway.local.dynamo.stream.StreamStore}).
 */
package dev.spillway.local.dynamo.journal;
