-- strata:revision 4cd99ccb2794
-- strata:revises 60815f645d4b
-- strata:message Add is_active field to system_config
-- strata:created 2024-01-15 10:30:00

-- strata:upgrade
ALTER TABLE system_config ADD COLUMN is_active BOOLEAN;

-- strata:downgrade
ALTER TABLE system_config DROP COLUMN is_active;
