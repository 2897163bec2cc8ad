// Every deployed function, registered with functions-framework on import (`--target` picks one).
// mirror.ts is not here: it is the Cloud Run container's entry point, not a function.
import './manage.js';
import './plan.js';
import './work.js';
import './notify.js';
