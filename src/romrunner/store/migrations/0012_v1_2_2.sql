-- ROM Runner schema v1.2.2 (schema_version 12):
-- what the query language, collections and their counts asked for (docs/PERFORMANCE.md).
-- changes_data: yes
-- 1. Queries filter a platform's games by region, missing, hack and match and page them by
--    title. With (platform_id, title_norm) alone every candidate row was a table lookup:
--    at 100,000 games a page of `platform:nes region:usa -flag:hack` with its total took
--    26-60 ms; with the filtered columns in the index 1.5-16 ms. The new index starts with
--    the old one's columns, so it replaces it.
DROP INDEX IF EXISTS idx_games_platform_title;
CREATE INDEX idx_games_platform_facets ON games(platform_id, title_norm, region, is_missing, is_hack, match_method, file_size); -- games ls / queries by platform, sorted, filters read from the index
-- 2. Collection names are unique, any case (`collection show Favorites` names one list).
--    Earlier databases may hold two collections of the same name: later ones get their id
--    appended, so no collection is lost.
UPDATE collections SET name = name || ' (' || id || ')'
WHERE id NOT IN (SELECT min(id) FROM collections GROUP BY name COLLATE NOCASE);
CREATE UNIQUE INDEX uidx_collections_name ON collections(name COLLATE NOCASE); -- collection by name
-- 3. Deleting a game cascades to collection_games, whose key starts with the collection:
--    without this index every deleted game scanned every membership row.
CREATE INDEX idx_collection_games_game ON collection_games(game_id); -- game delete cascade
UPDATE schema_version SET schema_version = 12, applied_at = CURRENT_TIMESTAMP,
    notes = 'ROM Runner schema v1.2.2 (query facets index, unique collection names, memberships by game)';
