const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Vehicle ids are uuids; anything else cannot name a vehicle (and would make Postgres throw). */
export const isUuid = (id: string): boolean => UUID.test(id);
