import type { Migration } from './types.js';

/**
 * The "seen" detectors (first-seen-remote, owner-new-address) store their addresses in chunks of
 * 1,024, one `log_detector_state` row each keyed `#<n>` (src/logs/detectors/seen-chunks.ts),
 * instead of one row per address: a flood of new addresses wrote (and later deleted) a row per
 * address, most of a flood's commit time. The per-address rows become chunks in the order the
 * detector restored them (by last_at), columns side by side as JSON arrays.
 */
export const seenChunks: Migration = {
  version: 13,
  name: 'seen-chunks',
  up(db) {
    db.exec(`
      WITH seen AS (
        SELECT source_id, detector, last_at,
          row_number() OVER (PARTITION BY source_id, detector ORDER BY last_at, ip) - 1 AS n,
          ip,
          CASE WHEN json_valid(state) THEN coalesce(json_extract(state, '$.firstAt'), last_at)
               ELSE last_at END AS at,
          CASE WHEN json_valid(state) AND json_extract(state, '$.flagged') = 1 THEN 1 ELSE 0 END AS f,
          CASE WHEN json_valid(state) THEN coalesce(json_extract(state, '$.user'), '') ELSE '' END AS u
        FROM log_detector_state
        WHERE detector IN ('first-seen-remote', 'owner-new-address') AND ip NOT LIKE '#%'
      )
      INSERT INTO log_detector_state (source_id, detector, ip, state, last_at)
      SELECT source_id, detector, '#' || (n / 1024),
        json_object('ip', json_group_array(ip ORDER BY n), 'at', json_group_array(at ORDER BY n),
                    'f', json_group_array(f ORDER BY n), 'u', json_group_array(u ORDER BY n)),
        max(last_at)
      FROM seen GROUP BY source_id, detector, n / 1024;
      DELETE FROM log_detector_state
      WHERE detector IN ('first-seen-remote', 'owner-new-address') AND ip NOT LIKE '#%';
    `);
  },
};
