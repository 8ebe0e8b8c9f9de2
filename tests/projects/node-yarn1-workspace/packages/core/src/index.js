const tasks = [{ id: 1, title: "Write the Dockerfile", done: true }];

exports.openTasks = () => tasks.filter((task) => !task.done);
exports.allTasks = () => tasks;
