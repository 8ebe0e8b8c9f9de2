// The page's script. The build gives it a content hash so browsers may cache it for a year.
document.querySelector("#status").textContent = "static-npm is running";
