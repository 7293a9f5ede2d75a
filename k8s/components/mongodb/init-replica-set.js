/* global rs, print, printjson, process -- mongosh globals */
// Run by the mongodb-init Job with mongosh against member 0: initiates replica set rs0 with
// MONGO_MEMBERS members (mongodb-0.mongodb … ), or does nothing when it is already initiated.
const members = Number(process.env.MONGO_MEMBERS || '3');
let initiated = false;
try {
  initiated = rs.status().ok === 1;
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
}
if (initiated) {
  print('replica set rs0 already initiated');
} else {
  const config = {
    _id: 'rs0',
    members: Array.from({ length: members }, (_, i) => ({ _id: i, host: `mongodb-${i}.mongodb:27017` })),
  };
  printjson(rs.initiate(config));
}
