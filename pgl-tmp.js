const { PGlite } = require('@electric-sql/pglite');
(async () => {
  for (let i = 0; i < 3; i++) { const t = Date.now(); const db = await PGlite.create(); await db.query('select 1'); console.log('create', Date.now() - t); if (i==2) { const t2=Date.now(); const c = await db.clone(); await c.query('select 1'); console.log('clone', Date.now()-t2);} }
})();
