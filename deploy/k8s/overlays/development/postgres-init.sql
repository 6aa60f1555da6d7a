-- Development only: one role and one database per bounded context, each role owning its database
-- (no context can read another's tables); passwords as in the junggo-db-* Secrets of this overlay.
\set ON_ERROR_STOP on
CREATE ROLE identity LOGIN PASSWORD 'dev-db-identity';
CREATE ROLE stock LOGIN PASSWORD 'dev-db-stock';
CREATE ROLE purchase LOGIN PASSWORD 'dev-db-purchase';
CREATE ROLE billing LOGIN PASSWORD 'dev-db-billing';
CREATE ROLE consignment LOGIN PASSWORD 'dev-db-consignment';
CREATE ROLE dashboard LOGIN PASSWORD 'dev-db-dashboard';
CREATE ROLE notification LOGIN PASSWORD 'dev-db-notification';
CREATE ROLE acquisition LOGIN PASSWORD 'dev-db-acquisition';
CREATE ROLE maintenance LOGIN PASSWORD 'dev-db-maintenance';
CREATE DATABASE junggo_identity OWNER identity;
CREATE DATABASE junggo_stock OWNER stock;
CREATE DATABASE junggo_purchase OWNER purchase;
CREATE DATABASE junggo_billing OWNER billing;
CREATE DATABASE junggo_consignment OWNER consignment;
CREATE DATABASE junggo_dashboard OWNER dashboard;
CREATE DATABASE junggo_notification OWNER notification;
CREATE DATABASE junggo_acquisition OWNER acquisition;
CREATE DATABASE junggo_maintenance OWNER maintenance;
REVOKE CONNECT ON DATABASE junggo_identity, junggo_stock, junggo_purchase, junggo_billing,
  junggo_consignment, junggo_dashboard, junggo_notification, junggo_acquisition,
  junggo_maintenance FROM PUBLIC;
