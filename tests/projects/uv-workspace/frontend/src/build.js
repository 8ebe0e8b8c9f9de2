console.log("the web front end is built on its own; the API image never holds it");
