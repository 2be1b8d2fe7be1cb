/** Routes of the UI; every screen but sign-in needs a token in the session. */
import { useEffect, type ReactNode } from 'react';
import {
  BrowserRouter,
  Link,
  Navigate,
  Route,
  Routes,
  useLocation,
  useNavigate,
} from 'react-router';
import { SIGNED_OUT_EVENT, session } from './api.js';
import { ReleaseBoard } from './screens/ReleaseBoard.js';
import { NewRelease } from './screens/NewRelease.js';
import { ReleasePage } from './screens/ReleasePage.js';
import { SignIn } from './screens/SignIn.js';
import { Calendar } from './screens/Calendar.js';
import { CabMeeting, CabQueue } from './screens/Cab.js';
import { Dashboard } from './screens/Dashboard.js';
import { Lessons, ReviewList, ReviewPage } from './screens/Reviews.js';

function SignedIn({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => {
    const onSignedOut = () => navigate('/sign-in', { state: { from: location.pathname } });
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, [navigate, location.pathname]);
  if (!session.token())
    return <Navigate to="/sign-in" state={{ from: location.pathname }} replace />;
  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          Gatehouse
        </Link>
        <nav aria-label="Main">
          <Link to="/">Release board</Link>
          <Link to="/releases/new">New release</Link>
          <Link to="/calendar">Calendar</Link>
          <Link to="/cab">CAB</Link>
          <Link to="/dashboards">Dashboards</Link>
          <Link to="/reviews">Reviews</Link>
          <button
            type="button"
            className="link"
            onClick={() => {
              session.signOut();
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </nav>
      </header>
      <main>{children}</main>
    </>
  );
}

export function GatehouseUi() {
  return (
    <BrowserRouter basename="/ui">
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route
          path="/"
          element={
            <SignedIn>
              <ReleaseBoard />
            </SignedIn>
          }
        />
        <Route
          path="/releases/new"
          element={
            <SignedIn>
              <NewRelease />
            </SignedIn>
          }
        />
        <Route
          path="/releases/:key"
          element={
            <SignedIn>
              <ReleasePage />
            </SignedIn>
          }
        />
        {(
          [
            ['/calendar', <Calendar />],
            ['/cab', <CabQueue />],
            ['/cab/:name', <CabMeeting />],
            ['/dashboards', <Dashboard />],
            ['/reviews', <ReviewList />],
            ['/reviews/:key', <ReviewPage />],
            ['/lessons', <Lessons />],
          ] as const
        ).map(([path, screen]) => (
          <Route key={path} path={path} element={<SignedIn>{screen}</SignedIn>} />
        ))}
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </BrowserRouter>
  );
}
