console.log("selfheal-agent");
