-- One database per bounded context: no context can read another's tables.
CREATE DATABASE junggo_identity;
CREATE DATABASE junggo_stock;
CREATE DATABASE junggo_purchase;
CREATE DATABASE junggo_billing;
CREATE DATABASE junggo_consignment;
CREATE DATABASE junggo_dashboard;
CREATE DATABASE junggo_notification;
CREATE DATABASE junggo_acquisition;
CREATE DATABASE junggo_maintenance;
